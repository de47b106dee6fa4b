//! Index settings and mappings. Title and description go through the `korean` analyzer: `nori`
//! (Korean morphological analysis, from the `analysis-nori` plugin), so "아이폰을" finds "아이폰",
//! or CJK bigrams where nori is missing; everything a filter or sort uses is a keyword or a
//! number. The mapping is strict: a field the code does not know is an error, not a silently
//! guessed type.

use serde_json::{Value, json};

use super::TextAnalyzer;

pub(super) fn listings(analyzer: TextAnalyzer) -> Value {
    let korean = match analyzer {
        TextAnalyzer::Nori => json!({
            "type": "custom",
            "tokenizer": "nori_tokenizer",
            "filter": ["nori_readingform", "lowercase", "nori_part_of_speech"]
        }),
        TextAnalyzer::Cjk => json!({ "type": "cjk" }),
    };
    json!({
        "settings": {
            "analysis": {
                "analyzer": { "korean": korean }
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "listing_id": { "type": "keyword" },
                "seller_id": { "type": "keyword" },
                "title": { "type": "text", "analyzer": "korean" },
                "description": { "type": "text", "analyzer": "korean" },
                "price": { "type": "long" },
                "category_id": { "type": "keyword" },
                "status": { "type": "keyword" },
                "version": { "type": "long" },
                "created_position": { "type": "long" },
                "created_at": { "type": "date" },
                "updated_at": { "type": "date" },
                "quantity": { "type": "integer" },
                "available": { "type": "integer" },
                "images": { "type": "object", "enabled": false },
                "location": {
                    "properties": { "lat": { "type": "double" }, "lng": { "type": "double" } }
                },
                "neighbourhood": { "type": "keyword" },
                "bumped_at": { "type": "date" },
                "bumped_position": { "type": "long" },
                "review": { "type": "object", "enabled": false }
            }
        }
    })
}

pub(super) fn checkpoint() -> Value {
    json!({
        "mappings": {
            "dynamic": "strict",
            "properties": { "position": { "type": "long" } }
        }
    })
}
