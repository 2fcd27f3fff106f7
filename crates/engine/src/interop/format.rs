//! The formats an import tells apart, by name and by id, and the list of them a user is told.

/// What a file holds, told from its content (or named by the user when it cannot be told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    PostmanCollection,
    PostmanEnvironment,
    /// Newman's `--ssl-client-cert-list` file.
    NewmanCertList,
    InsomniaExport,
    /// Insomnia's v5 YAML export.
    InsomniaV5,
    /// The Insomnia app's `insomnia.ClientCertificate.db`.
    InsomniaCertDb,
    Har,
    OpenApi,
    /// A Bruno collection folder (`bruno.json` and `.bru` files).
    BrunoFolder,
    /// Bruno's YAML collection: a folder with `opencollection.yml`, or that one file.
    OpenCollection,
    /// A `.http` / `.rest` file (JetBrains HTTP Client, VS Code REST Client).
    HttpFile,
    /// JetBrains' `http-client.env.json` (or its `.private.` twin).
    HttpClientEnv,
    /// VS Code's `settings.json` with `rest-client.*` keys.
    VsCodeSettings,
}

impl Format {
    /// Every format, in the order they are listed to a user.
    pub const ALL: [Format; 13] = [
        Format::PostmanCollection,
        Format::PostmanEnvironment,
        Format::NewmanCertList,
        Format::InsomniaExport,
        Format::InsomniaV5,
        Format::InsomniaCertDb,
        Format::BrunoFolder,
        Format::OpenCollection,
        Format::OpenApi,
        Format::HttpFile,
        Format::HttpClientEnv,
        Format::VsCodeSettings,
        Format::Har,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Format::PostmanCollection => "Postman collection",
            Format::PostmanEnvironment => "Postman environment",
            Format::NewmanCertList => "Newman client certificate list",
            Format::InsomniaExport => "Insomnia export (v4)",
            Format::InsomniaV5 => "Insomnia export (v5, YAML)",
            Format::InsomniaCertDb => "Insomnia client certificate database",
            Format::Har => "HAR",
            Format::OpenApi => "OpenAPI",
            Format::BrunoFolder => "Bruno collection folder",
            Format::OpenCollection => "Bruno YAML collection (OpenCollection)",
            Format::HttpFile => ".http file",
            Format::HttpClientEnv => "JetBrains HTTP Client environment",
            Format::VsCodeSettings => "VS Code REST Client settings",
        }
    }

    /// A short stable id for the format, for a user or a script to name it.
    pub fn id(self) -> &'static str {
        match self {
            Format::PostmanCollection => "postman",
            Format::PostmanEnvironment => "postman-environment",
            Format::NewmanCertList => "newman-certs",
            Format::InsomniaExport => "insomnia",
            Format::InsomniaV5 => "insomnia-v5",
            Format::InsomniaCertDb => "insomnia-certs",
            Format::Har => "har",
            Format::OpenApi => "openapi",
            Format::BrunoFolder => "bruno",
            Format::OpenCollection => "opencollection",
            Format::HttpFile => "http",
            Format::HttpClientEnv => "http-client-env",
            Format::VsCodeSettings => "vscode-settings",
        }
    }

    /// The format whose [`Format::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// Every format in words, for a file that is none of them.
pub(crate) const KNOWN: &str = "a Postman collection (info.schema of getpostman.com), a Postman environment (name and values), a Newman certificate list (entries with matches and cert or pfx), an Insomnia v4 export, v5 YAML export or its insomnia.ClientCertificate.db, a HAR 1.2 file, an OpenAPI 3.x or Swagger 2.0 description (JSON or YAML), .http / .rest files with http-client.env.json or VS Code's settings.json, or a Bruno collection folder (bruno.json or opencollection.yml)";
