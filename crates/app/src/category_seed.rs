//! The default category tree planted on a marketplace's first start: the top categories Korean
//! second-hand buyers know from the big apps, two levels below where buyers look closer.
//!
//! Data, not rules: the tree's rules are the domain's, and the seed goes through them like any
//! admin's creation. Admins rename, move and retire from here on; the seed is never planted twice.

use jangteo_domain::{
    CategoryId, CategoryName, ValidationError,
    category::{CategoryNames, NewCategory},
};

/// (id, parent id, Korean name, English name), parents before children.
const DEFAULT_TREE: &[(&str, Option<&str>, &str, &str)] = &[
    ("digital", None, "디지털기기", "Digital devices"),
    ("phones", Some("digital"), "휴대폰", "Phones"),
    ("iphone", Some("phones"), "아이폰", "iPhone"),
    ("galaxy-phones", Some("phones"), "갤럭시", "Galaxy"),
    ("other-phones", Some("phones"), "기타 휴대폰", "Other phones"),
    ("tablets", Some("digital"), "태블릿", "Tablets"),
    ("ipad", Some("tablets"), "아이패드", "iPad"),
    ("galaxy-tabs", Some("tablets"), "갤럭시탭", "Galaxy Tab"),
    ("other-tablets", Some("tablets"), "기타 태블릿", "Other tablets"),
    ("laptops", Some("digital"), "노트북", "Laptops"),
    ("macbook", Some("laptops"), "맥북", "MacBook"),
    ("windows-laptops", Some("laptops"), "윈도우 노트북", "Windows laptops"),
    ("desktops", Some("digital"), "데스크탑·모니터", "Desktops and monitors"),
    ("desktop-pcs", Some("desktops"), "데스크탑", "Desktop PCs"),
    ("monitors", Some("desktops"), "모니터", "Monitors"),
    ("pc-parts", Some("desktops"), "PC 부품", "PC parts"),
    ("audio", Some("digital"), "음향기기", "Audio"),
    ("earphones", Some("audio"), "이어폰·헤드폰", "Earphones and headphones"),
    ("speakers", Some("audio"), "스피커", "Speakers"),
    ("wearables", Some("digital"), "웨어러블", "Wearables"),
    ("cameras", Some("digital"), "카메라", "Cameras"),
    ("digital-cameras", Some("cameras"), "디지털카메라", "Digital cameras"),
    ("film-cameras", Some("cameras"), "필름카메라", "Film cameras"),
    ("appliances", None, "생활가전", "Home appliances"),
    ("kitchen-appliances", Some("appliances"), "주방가전", "Kitchen appliances"),
    ("seasonal-appliances", Some("appliances"), "계절가전", "Seasonal appliances"),
    ("air-conditioners", Some("seasonal-appliances"), "에어컨", "Air conditioners"),
    ("fans", Some("seasonal-appliances"), "선풍기·서큘레이터", "Fans"),
    ("heaters", Some("seasonal-appliances"), "난방기", "Heaters"),
    ("cleaning-appliances", Some("appliances"), "청소가전", "Cleaning appliances"),
    ("vacuums", Some("cleaning-appliances"), "청소기", "Vacuum cleaners"),
    ("robot-vacuums", Some("cleaning-appliances"), "로봇청소기", "Robot vacuums"),
    ("beauty-appliances", Some("appliances"), "미용가전", "Beauty appliances"),
    ("tvs", Some("appliances"), "TV·영상가전", "TVs and video"),
    ("furniture", None, "가구/인테리어", "Furniture and interior"),
    ("beds", Some("furniture"), "침대·매트리스", "Beds and mattresses"),
    ("sofas", Some("furniture"), "소파", "Sofas"),
    ("desks-chairs", Some("furniture"), "책상·의자", "Desks and chairs"),
    ("desks", Some("desks-chairs"), "책상", "Desks"),
    ("chairs", Some("desks-chairs"), "의자", "Chairs"),
    ("storage", Some("furniture"), "수납가구", "Storage"),
    ("lighting", Some("furniture"), "조명", "Lighting"),
    ("interior-goods", Some("furniture"), "인테리어 소품", "Decor"),
    ("living", None, "생활/주방", "Household and kitchen"),
    ("cookware", Some("living"), "조리도구", "Cookware"),
    ("tableware", Some("living"), "식기", "Tableware"),
    ("household-goods", Some("living"), "생활용품", "Household goods"),
    ("kids", None, "유아동", "Babies and kids"),
    ("baby-clothes", Some("kids"), "유아동 의류", "Kids' clothing"),
    ("strollers-seats", Some("kids"), "유모차·카시트", "Strollers and car seats"),
    ("strollers", Some("strollers-seats"), "유모차", "Strollers"),
    ("car-seats", Some("strollers-seats"), "카시트", "Car seats"),
    ("toys", Some("kids"), "장난감", "Toys"),
    ("kids-books", Some("kids"), "아동도서", "Children's books"),
    ("womens-clothing", None, "여성의류", "Women's clothing"),
    ("women-tops", Some("womens-clothing"), "상의", "Tops"),
    ("women-bottoms", Some("womens-clothing"), "하의", "Bottoms"),
    ("dresses", Some("womens-clothing"), "원피스", "Dresses"),
    ("women-outerwear", Some("womens-clothing"), "아우터", "Outerwear"),
    ("women-padding", Some("women-outerwear"), "패딩", "Padded jackets"),
    ("women-coats", Some("women-outerwear"), "코트", "Coats"),
    ("mens-clothing", None, "남성의류", "Men's clothing"),
    ("men-tops", Some("mens-clothing"), "상의", "Tops"),
    ("men-bottoms", Some("mens-clothing"), "하의", "Bottoms"),
    ("men-outerwear", Some("mens-clothing"), "아우터", "Outerwear"),
    ("men-padding", Some("men-outerwear"), "패딩", "Padded jackets"),
    ("men-coats", Some("men-outerwear"), "코트", "Coats"),
    ("suits", Some("mens-clothing"), "정장", "Suits"),
    ("fashion-goods", None, "패션잡화", "Bags, shoes and accessories"),
    ("bags", Some("fashion-goods"), "가방", "Bags"),
    ("luxury-bags", Some("bags"), "명품가방", "Luxury bags"),
    ("backpacks", Some("bags"), "백팩", "Backpacks"),
    ("shoes", Some("fashion-goods"), "신발", "Shoes"),
    ("sneakers", Some("shoes"), "스니커즈", "Sneakers"),
    ("dress-shoes", Some("shoes"), "구두", "Dress shoes"),
    ("watches", Some("fashion-goods"), "시계", "Watches"),
    ("jewellery", Some("fashion-goods"), "주얼리", "Jewellery"),
    ("wallets", Some("fashion-goods"), "지갑", "Wallets"),
    ("beauty", None, "뷰티/미용", "Beauty"),
    ("skincare", Some("beauty"), "스킨케어", "Skincare"),
    ("makeup", Some("beauty"), "메이크업", "Make-up"),
    ("perfume", Some("beauty"), "향수", "Perfume"),
    ("hair-care", Some("beauty"), "헤어케어", "Hair care"),
    ("sports", None, "스포츠/레저", "Sports and leisure"),
    ("bicycles", Some("sports"), "자전거", "Bicycles"),
    ("folding-bikes", Some("bicycles"), "접이식자전거", "Folding bikes"),
    ("road-bikes", Some("bicycles"), "로드자전거", "Road bikes"),
    ("mountain-bikes", Some("bicycles"), "산악자전거", "Mountain bikes"),
    ("e-bikes", Some("bicycles"), "전기자전거", "E-bikes"),
    ("camping", Some("sports"), "캠핑", "Camping"),
    ("tents", Some("camping"), "텐트·타프", "Tents and tarps"),
    ("camping-chairs", Some("camping"), "캠핑의자·테이블", "Camping chairs and tables"),
    ("camping-cookware", Some("camping"), "캠핑 취사용품", "Camp kitchen"),
    ("golf", Some("sports"), "골프", "Golf"),
    ("golf-clubs", Some("golf"), "골프채", "Golf clubs"),
    ("golf-wear", Some("golf"), "골프웨어", "Golf wear"),
    ("fitness", Some("sports"), "헬스·요가", "Fitness and yoga"),
    ("fishing", Some("sports"), "낚시", "Fishing"),
    ("hobbies", None, "취미/게임/음반", "Hobbies, games and music"),
    ("games", Some("hobbies"), "게임", "Games"),
    ("game-consoles", Some("games"), "게임기", "Consoles"),
    ("game-titles", Some("games"), "게임 타이틀", "Game titles"),
    ("instruments", Some("hobbies"), "악기", "Musical instruments"),
    ("guitars", Some("instruments"), "기타·베이스", "Guitars and basses"),
    ("keyboards", Some("instruments"), "피아노·키보드", "Pianos and keyboards"),
    ("records", Some("hobbies"), "음반·LP", "Records"),
    ("figures", Some("hobbies"), "피규어·프라모델", "Figures and models"),
    ("books-tickets", None, "도서/티켓", "Books and tickets"),
    ("books", Some("books-tickets"), "도서", "Books"),
    ("novels", Some("books"), "소설", "Novels"),
    ("study-books", Some("books"), "수험서·교재", "Study books"),
    ("comics", Some("books"), "만화", "Comics"),
    ("tickets", Some("books-tickets"), "티켓·교환권", "Tickets and vouchers"),
    ("show-tickets", Some("tickets"), "공연 티켓", "Show tickets"),
    ("gift-cards", Some("tickets"), "상품권", "Gift cards"),
    ("pets", None, "반려동물용품", "Pet supplies"),
    ("dog-supplies", Some("pets"), "강아지용품", "Dog supplies"),
    ("cat-supplies", Some("pets"), "고양이용품", "Cat supplies"),
    ("pet-food", Some("pets"), "사료·간식", "Pet food"),
    ("plants", None, "식물", "Plants"),
    ("houseplants", Some("plants"), "실내식물", "Houseplants"),
    ("gardening", Some("plants"), "원예용품", "Gardening"),
    ("food", None, "가공식품", "Packaged food"),
    ("snacks", Some("food"), "과자·간식", "Snacks"),
    ("health-food", Some("food"), "건강식품", "Health food"),
    ("vehicles", None, "차량/오토바이", "Cars and motorbikes"),
    ("car-accessories", Some("vehicles"), "자동차용품", "Car accessories"),
    ("motorbikes", Some("vehicles"), "오토바이", "Motorbikes"),
    ("tools", Some("vehicles"), "공구", "Tools"),
    ("others", None, "기타 중고물품", "Everything else"),
];

/// The default tree as categories to create, parents first.
pub(crate) fn default_tree() -> Result<Vec<NewCategory>, ValidationError> {
    DEFAULT_TREE
        .iter()
        .map(|&(id, parent, ko, en)| {
            Ok(NewCategory {
                category_id: CategoryId::parse(id)?,
                parent_id: parent.map(CategoryId::parse).transpose()?,
                names: CategoryNames { ko: CategoryName::parse(ko)?, en: CategoryName::parse(en)? },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use jangteo_domain::{Aggregate, category::CategoryTreeState};

    use super::*;

    #[test]
    fn the_default_tree_obeys_the_tree_rules() {
        let categories = default_tree().expect("every id and name is valid");
        let tops = categories.iter().filter(|category| category.parent_id.is_none()).count();
        assert!((15..=20).contains(&tops), "{tops} top categories");
        let seeded = CategoryTreeState::default()
            .decide(jangteo_domain::category::CategoryCommand::Seed { categories })
            .expect("the seed is accepted by the tree's rules");
        let tree = CategoryTreeState::replay(&seeded);
        let iphone = CategoryId::parse("iphone").expect("an id");
        let path: Vec<&str> = tree.path(&iphone).iter().map(|category| category.names.ko.as_str()).collect();
        assert_eq!(path, ["디지털기기", "휴대폰", "아이폰"]);
    }
}
