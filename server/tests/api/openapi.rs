//! The OpenAPI document at `/api/openapi.json` stays true: it is OpenAPI 3.1, every
//! operation it lists is served (no request to one reaches the not-found or wrong-method
//! fallbacks), and real answers — successes and errors — have a documented status and match
//! the documented JSON schema.

use serde_json::{Value, json};

use crate::e2e::{Phone, TestServer};

/// The document as the server serves it.
async fn document(server: &TestServer) -> Value {
    let response = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Checks one real answer against the document: its status is documented for the
/// operation, and a JSON body validates against the documented schema.
fn conforms(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let documented = &operation["responses"][status.to_string()];
    assert!(
        documented.is_object(),
        "{method} {path} answered {status}, which is not documented: {body}"
    );
    let Some(schema) = documented["content"]["application/json"]["schema"].as_object() else {
        panic!("{method} {path} {status}: no JSON schema documented");
    };
    // Resolve `#/components/...` references against the document itself.
    let mut root = Value::Object(schema.clone());
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {body} does not match: {errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let server = TestServer::sqlite().await;
    let doc = document(&server).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let worker = Phone::sign_in(&server, "wangge", 1).await;
    let client = reqwest::Client::new();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8, "{:?}", paths.keys());
    let mut checked = 0;
    for (path, operations) in paths {
        let url = format!(
            "{}{}",
            server.base,
            path.replace("{sha256}", &"ab".repeat(32))
                .replace("{id}", "0192f5e0-7c3a-7b1e-9d2f-3a4b5c6d7e8f")
        );
        for method in operations.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client
                .request(method.clone(), &url)
                .bearer_auth(&worker.token)
                .header("Tus-Resumable", "1.0.0")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert_ne!(status, 405, "{method} {path} is documented but not served");
            let tus = response.headers().contains_key("tus-resumable");
            let streaming = response
                .headers()
                .get("content-type")
                .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
            if streaming {
                // The live stream answers and never ends: that it started is enough.
                assert_eq!(status, 200, "{method} {path}");
                checked += 1;
                continue;
            }
            let body = response.text().await.unwrap();
            if status == 404 {
                // A route's own 404 (an unknown photo) differs from the fallback's.
                assert!(
                    !body.contains("http.not_found") && (tus || !body.is_empty()),
                    "{method} {path} is documented but not served: {body}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} operations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_match_their_documented_schemas() {
    let server = TestServer::sqlite().await;
    let doc = document(&server).await;
    let client = reqwest::Client::new();
    let base = &server.base;

    let signed_in = client
        .post(format!("{base}/api/session"))
        .json(&json!({"login": "shequ", "password": wangge_server::seed::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let body: Value = signed_in.json().await.unwrap();
    conforms(&doc, "post", "/api/session", 200, &body);
    let token = body["token"].as_str().unwrap().to_owned();

    let me = client
        .get(format!("{base}/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    conforms(&doc, "get", "/api/me", 200, &me.json().await.unwrap());

    // Errors: wrong password, malformed body, no token.
    for (request, status) in [
        (json!({"login": "shequ", "password": "guess"}), 401),
        (json!({"login": "shequ"}), 400),
    ] {
        let answer = client
            .post(format!("{base}/api/session"))
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), status);
        conforms(
            &doc,
            "post",
            "/api/session",
            status,
            &answer.json().await.unwrap(),
        );
    }
    let anonymous = client.get(format!("{base}/api/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    conforms(
        &doc,
        "get",
        "/api/me",
        401,
        &anonymous.json().await.unwrap(),
    );

    let signed_out = client
        .delete(format!("{base}/api/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 204);
    assert!(doc["paths"]["/api/session"]["delete"]["responses"]["204"].is_object());
    let revoked = client
        .get(format!("{base}/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 401);
    conforms(&doc, "get", "/api/me", 401, &revoked.json().await.unwrap());

    // The review inbox: a page, a case in full, and refusals.
    let worker_token = Phone::sign_in(&server, "wangge", 3).await.token;
    let mut worker = Phone::sign_in(&server, "wangge", 4).await;
    let case = crate::e2e::new_case(&mut worker, 1, "垃圾堆放");
    worker.sync_fully().await;
    let secretary = client
        .post(format!("{base}/api/session"))
        .json(&json!({"login": "shequ", "password": wangge_server::seed::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = client
        .get(format!("{base}/api/cases?limit=1"))
        .bearer_auth(&secretary)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let list: Value = list.json().await.unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);
    conforms(&doc, "get", "/api/cases", 200, &list);
    let detail = client
        .get(format!("{base}/api/cases/{case}"))
        .bearer_auth(&secretary)
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), 200);
    conforms(
        &doc,
        "get",
        "/api/cases/{id}",
        200,
        &detail.json().await.unwrap(),
    );
    let bad = client
        .get(format!("{base}/api/cases?limit=9999"))
        .bearer_auth(&worker_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    conforms(&doc, "get", "/api/cases", 400, &bad.json().await.unwrap());
    let missing = client
        .get(format!("{base}/api/cases/not-a-case"))
        .bearer_auth(&worker_token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    conforms(
        &doc,
        "get",
        "/api/cases/{id}",
        404,
        &missing.json().await.unwrap(),
    );

    // The sync endpoint's refusals are JSON errors too.
    let garbage = client
        .post(format!("{base}/v1/sync"))
        .bearer_auth(Phone::sign_in(&server, "wangge", 1).await.token)
        .header("content-type", "application/x-wangge-sync")
        .body("not a sync message")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    conforms(
        &doc,
        "post",
        "/v1/sync",
        400,
        &garbage.json().await.unwrap(),
    );
}

#[test]
fn a_schema_mismatch_is_caught() {
    // The checker itself must be able to fail.
    let doc = json!({
        "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
        "components": {"schemas": {"Thing": {
            "type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}}}
    });
    conforms(&doc, "get", "/x", 200, &json!({"code": "ok"}));
    let wrong = std::panic::catch_unwind(|| conforms(&doc, "get", "/x", 200, &json!({"code": 1})));
    assert!(wrong.is_err());
    let undocumented =
        std::panic::catch_unwind(|| conforms(&doc, "get", "/x", 500, &json!({"code": "x"})));
    assert!(undocumented.is_err());
}
