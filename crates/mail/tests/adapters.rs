//! Both adapters against what they write to: a real SMTP server (aiosmtpd) and a directory.

use jangteo_mail::{Mail, MailError, Mailer, outbox::OutboxMailer, smtp::SmtpMailer};
use jangteo_test_support::{SmtpServer, readable_mail};

const FROM: &str = "Jangteo <no-reply@jangteo.test>";

fn reset_mail(to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "장터 비밀번호 재설정".to_owned(),
        text: "비밀번호를 다시 정하려면 아래 주소를 여세요.\nhttp://127.0.0.1:8080/password-reset#token=abc-123_XYZ\n"
            .to_owned(),
    }
}

#[tokio::test]
async fn smtp_hands_the_mail_to_the_server_with_its_recipient_subject_and_text() {
    let Some(server) = SmtpServer::start() else { return };
    let mailer = SmtpMailer::new(&server.url, FROM).unwrap_or_else(|e| panic!("{e}"));
    mailer.send(reset_mail("buyer@example.com")).await.unwrap_or_else(|e| panic!("send: {e}"));
    mailer.send(reset_mail("seller@example.com")).await.unwrap_or_else(|e| panic!("send: {e}"));

    let received = server.received();
    assert_eq!(received.len(), 2, "{received:?}");
    let first = &received[0];
    assert!(first.contains("To: buyer@example.com"), "{first}");
    assert!(first.contains("From: Jangteo <no-reply@jangteo.test>"), "{first}");
    // A Korean subject travels encoded (RFC 2047), and so does the text (base64 here).
    assert!(first.contains("Subject: =?utf-8?"), "{first}");
    assert!(first.contains("#token=abc-123_XYZ"), "{first}");
    assert!(first.contains("비밀번호를 다시 정하려면"), "{first}");
    assert!(received[1].contains("To: seller@example.com"), "{}", received[1]);
}

#[tokio::test]
async fn smtp_reports_a_server_that_is_not_there() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let mailer = SmtpMailer::new(&format!("smtp://127.0.0.1:{port}"), FROM).unwrap_or_else(|e| panic!("{e}"));
    let sent = mailer.send(reset_mail("buyer@example.com")).await;
    assert!(matches!(sent, Err(MailError::Transport(_))), "{sent:?}");
}

/// (A runtime: the transport's connection pool runs a task of its own.)
#[tokio::test]
async fn a_url_that_is_not_smtp_and_a_sender_that_is_not_an_address_are_refused() {
    assert!(matches!(SmtpMailer::new("http://127.0.0.1:25", FROM), Err(MailError::Url(_))));
    assert!(matches!(SmtpMailer::new("smtp://127.0.0.1:25", "not an address"), Err(MailError::Address(_))));
}

#[tokio::test]
async fn the_outbox_writes_each_mail_as_an_eml_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let outbox = dir.path().join("outbox");
    let mailer = OutboxMailer::open(&outbox, FROM).unwrap_or_else(|e| panic!("{e}"));
    mailer.send(reset_mail("buyer@example.com")).await.unwrap_or_else(|e| panic!("send: {e}"));

    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|extension| extension.to_str()), Some("eml"));
    let text = readable_mail(&std::fs::read_to_string(&files[0]).unwrap_or_else(|e| panic!("{e}")));
    assert!(text.contains("To: buyer@example.com"), "{text}");
    assert!(text.contains("http://127.0.0.1:8080/password-reset#token=abc-123_XYZ"), "{text}");
}

#[tokio::test]
async fn a_recipient_that_is_not_an_address_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mailer = OutboxMailer::open(dir.path(), FROM).unwrap_or_else(|e| panic!("{e}"));
    let sent = mailer.send(reset_mail("no at sign")).await;
    assert!(matches!(sent, Err(MailError::Address(_))), "{sent:?}");
    assert_eq!(std::fs::read_dir(dir.path()).map_or(usize::MAX, Iterator::count), 0);
}
