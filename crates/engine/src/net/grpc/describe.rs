//! A schema in words, as grpcurl shows it: the services with their methods, one symbol in proto
//! syntax, and a request template (every field at its default) to start a message from.

use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor};
use serde_json::{Value, json};

pub use crate::exchange_grpc::MethodInfo;

/// The methods of the services `offered` (else every service of the schema), the reflection
/// service left out.
pub fn methods(pool: &DescriptorPool, offered: Option<&[String]>) -> Vec<MethodInfo> {
    let names: Vec<String> = match offered {
        Some(o) => o.to_vec(),
        None => pool.services().map(|s| s.full_name().to_string()).collect(),
    };
    names
        .iter()
        .filter(|n| !n.starts_with("grpc.reflection."))
        .filter_map(|n| pool.get_service_by_name(n))
        .flat_map(|svc| {
            svc.methods()
                .map(|m| MethodInfo {
                    method: format!("{}/{}", svc.full_name(), m.name()),
                    input: m.input().full_name().to_string(),
                    output: m.output().full_name().to_string(),
                    client_streaming: m.is_client_streaming(),
                    server_streaming: m.is_server_streaming(),
                    template: template(&m.input()),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every service of the schema (those `offered` first, as the server listed them) with its
/// methods, one per line, as JSON: `{"service": ["Method", ...]}`.
pub fn listing(pool: &DescriptorPool, offered: Option<&[String]>) -> String {
    let mut map = serde_json::Map::new();
    let names: Vec<String> = match offered {
        Some(o) => o.to_vec(),
        None => pool.services().map(|s| s.full_name().to_string()).collect(),
    };
    for name in names {
        let methods: Vec<serde_json::Value> = pool
            .get_service_by_name(&name)
            .map(|s| s.methods().map(|m| m.name().into()).collect())
            .unwrap_or_default();
        map.insert(name, serde_json::Value::Array(methods));
    }
    serde_json::to_string_pretty(&map).unwrap_or_default()
}

/// Every name a symbol may have: services, methods, messages, enums.
pub fn names(pool: &DescriptorPool) -> impl Iterator<Item = String> + '_ {
    pool.services()
        .flat_map(|s| {
            let name = s.full_name().to_string();
            let methods: Vec<String> = s
                .methods()
                .map(|m| format!("{name}.{}", m.name()))
                .collect();
            std::iter::once(name).chain(methods)
        })
        .chain(pool.all_messages().map(|m| m.full_name().to_string()))
        .chain(pool.all_enums().map(|e| e.full_name().to_string()))
}

/// `symbol` in proto syntax (a method with its input's template), None when there is none;
/// an empty symbol describes every service.
pub fn symbol(pool: &DescriptorPool, symbol: &str) -> Option<String> {
    let symbol = symbol.trim_start_matches('.');
    if symbol.is_empty() {
        let all: Vec<String> = pool
            .services()
            .filter(|s| !s.full_name().starts_with("grpc.reflection."))
            .filter_map(|s| self::symbol(pool, s.full_name()))
            .collect();
        return Some(all.join("\n"));
    }
    if let Some(s) = pool.get_service_by_name(symbol) {
        let mut out = format!("{} is a service:\nservice {} {{\n", s.full_name(), s.name());
        for m in s.methods() {
            out.push_str(&format!("  {}\n", rpc_line(&m)));
        }
        out.push_str("}\n");
        return Some(out);
    }
    let method = symbol.rsplit_once(['.', '/']).and_then(|(svc, m)| {
        pool.get_service_by_name(svc)?
            .methods()
            .find(|x| x.name() == m)
    });
    if let Some(m) = method {
        return Some(format!(
            "{}.{} is a method:\n{}\n\nA request to start from:\n{}\n",
            m.parent_service().full_name(),
            m.name(),
            rpc_line(&m),
            template(&m.input())
        ));
    }
    if let Some(msg) = pool.get_message_by_name(symbol) {
        let mut out = format!(
            "{} is a message:\nmessage {} {{\n",
            msg.full_name(),
            msg.name()
        );
        for f in msg.fields() {
            let label = if f.is_map() {
                ""
            } else if f.is_list() {
                "repeated "
            } else {
                ""
            };
            out.push_str(&format!(
                "  {label}{} {} = {};\n",
                kind_name(&f.kind(), f.is_map()),
                f.name(),
                f.number()
            ));
        }
        out.push_str(&format!(
            "}}\n\nIts JSON, every field at its default:\n{}\n",
            template(&msg)
        ));
        return Some(out);
    }
    if let Some(e) = pool.get_enum_by_name(symbol) {
        let mut out = format!("{} is an enum:\nenum {} {{\n", e.full_name(), e.name());
        for v in e.values() {
            out.push_str(&format!("  {} = {};\n", v.name(), v.number()));
        }
        out.push_str("}\n");
        return Some(out);
    }
    None
}

/// A message's JSON with every field at its default (nested messages filled in, to a depth
/// of eight; a list holds one element), in the proto3 JSON names.
pub fn template(msg: &MessageDescriptor) -> String {
    serde_json::to_string_pretty(&template_value(msg, 0)).unwrap_or_default()
}

fn template_value(msg: &MessageDescriptor, depth: usize) -> Value {
    // The well-known types have JSON of their own (a Timestamp is a string): their default,
    // else null (unset).
    if msg.full_name().starts_with("google.protobuf.") {
        return serde_json::to_value(DynamicMessage::new(msg.clone())).unwrap_or(Value::Null);
    }
    let mut map = serde_json::Map::new();
    let mut oneofs_seen = Vec::new();
    for f in msg.fields() {
        // One member of each oneof: two would be refused.
        if let Some(oneof) = f.containing_oneof() {
            if oneofs_seen.contains(&oneof.name().to_string()) {
                continue;
            }
            oneofs_seen.push(oneof.name().to_string());
        }
        let one = match f.kind() {
            _ if f.is_map() => Value::Object(serde_json::Map::new()),
            Kind::Message(m) if depth < 8 => template_value(&m, depth + 1),
            Kind::Message(_) => Value::Object(serde_json::Map::new()),
            Kind::Enum(e) => e
                .values()
                .next()
                .map_or(Value::Null, |v| Value::String(v.name().to_string())),
            Kind::Bool => Value::Bool(false),
            Kind::String | Kind::Bytes => Value::String(String::new()),
            Kind::Double | Kind::Float => json!(0.0),
            // 64-bit integers are strings in proto3 JSON.
            Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64 => {
                Value::String("0".into())
            }
            _ => json!(0),
        };
        let v = match (f.is_list(), one.is_null()) {
            // A list cannot hold null: an unset element is no element.
            (true, true) => Value::Array(Vec::new()),
            (true, false) => Value::Array(vec![one]),
            (false, _) => one,
        };
        map.insert(f.json_name().to_string(), v);
    }
    Value::Object(map)
}

fn rpc_line(m: &prost_reflect::MethodDescriptor) -> String {
    let stream = |yes: bool| if yes { "stream " } else { "" };
    format!(
        "rpc {}({}{}) returns ({}{});",
        m.name(),
        stream(m.is_client_streaming()),
        m.input().full_name(),
        stream(m.is_server_streaming()),
        m.output().full_name()
    )
}

fn kind_name(kind: &Kind, map: bool) -> String {
    match kind {
        Kind::Message(m) if map => {
            let k = m.map_entry_key_field().kind();
            let v = m.map_entry_value_field().kind();
            format!("map<{}, {}>", kind_name(&k, false), kind_name(&v, false))
        }
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(e) => e.full_name().to_string(),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}
