#!/usr/bin/python3
"""Keeps the event catalogue (docs/events/asyncapi.yaml) true to the compiled
contracts (proto/jobintech/events/v1, compiled here with protoc):

  1. every body of LifecycleEvent's `body` oneof has exactly one message
     (`x-body-field: "<field> = <number>"`) whose payload names that field with
     the schema of the field's message type, on the channel (and operation) of
     the topic its field number belongs to (100-199 enrollment, 200-299
     progress, 300-399 placement); no message names a body that is gone;
  2. every message and enum reachable from the envelope has a schema
     (`x-proto: <full name>`) with exactly the proto's fields (JSON names) of
     matching types, or exactly the enum's values; no schema names a type
     that is gone;
  3. each message's ce_type header is "ma.jobintech.<title>.v1", its title is
     an event type the services' domain code defines, and every event type
     defined there is documented;
  4. channel addresses are the topics of libs/kafka/topics.h and their .dlq,
     with the partitions, replicas and retention of deploy/k8s/base/kafka;
  5. the AsyncAPI parser accepts the document and every example matches its
     schemas (asyncapi_validate.js).

Usage: asyncapi_check.py [--doc FILE] [--proto-root DIR] [--source-root DIR]
Exit 1 with one `FAIL:` line per problem.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml
from google.protobuf import descriptor_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
F = descriptor_pb2.FieldDescriptorProto
ENVELOPE = "jobintech.events.v1.LifecycleEvent"
TOPIC_OF = [(100, 200, "enrollment"), (200, 300, "progress"), (300, 400, "placement")]


def compile_protos(proto_root):
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        files = sorted(glob.glob(os.path.join(proto_root, "jobintech", "events", "v1", "*.proto")))
        subprocess.run(["protoc", "--include_imports", f"-I{proto_root}", "-I/usr/include",
                        f"--descriptor_set_out={out.name}"] + files, check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(open(out.name, "rb").read())
    messages, enums = {}, {}

    def walk(prefix, msgs, ens):
        for e in ens:
            enums[f"{prefix}.{e.name}"] = e
        for m in msgs:
            messages[f"{prefix}.{m.name}"] = m
            walk(f"{prefix}.{m.name}", m.nested_type, m.enum_type)

    for f in fds.file:
        walk(f.package, f.message_type, f.enum_type)
    return messages, enums


def ref_name(ref):
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def unwrap(prop):
    """A property schema without its description wrapper: allOf [ref] -> ref."""
    if isinstance(prop, dict) and "allOf" in prop and len(prop["allOf"]) == 1:
        return prop["allOf"][0]
    return prop


def expected_kind(field):
    if field.type == F.TYPE_MESSAGE:
        if field.type_name == ".google.protobuf.Timestamp":
            return ("string", "date-time")
        return ("ref", field.type_name[1:])
    if field.type == F.TYPE_ENUM:
        return ("ref", field.type_name[1:])
    if field.type in (F.TYPE_INT64, F.TYPE_UINT64, F.TYPE_SINT64, F.TYPE_FIXED64, F.TYPE_SFIXED64):
        return ("string", "int64")
    if field.type in (F.TYPE_INT32, F.TYPE_UINT32, F.TYPE_SINT32, F.TYPE_FIXED32, F.TYPE_SFIXED32):
        return ("integer", None)
    if field.type == F.TYPE_BOOL:
        return ("boolean", None)
    if field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return ("number", None)
    return ("string", None)  # string, bytes


def check(doc_path, proto_root, source_root):
    errors = []
    messages, enums = compile_protos(proto_root)
    doc = yaml.safe_load(open(doc_path, encoding="utf-8"))
    comp = doc.get("components", {})
    schemas = comp.get("schemas", {})
    doc_msgs = comp.get("messages", {})
    by_proto = {}
    for name, s in schemas.items():
        if "x-proto" in s:
            if s["x-proto"] in by_proto:
                errors.append(f"schemas {by_proto[s['x-proto']]} and {name} both describe {s['x-proto']}")
            by_proto[s["x-proto"]] = name

    # 1. bodies <-> messages
    env = messages[ENVELOPE]
    bodies = {f"{f.name} = {f.number}": f for f in env.field if f.HasField("oneof_index")}
    documented = {}
    for name, m in doc_msgs.items():
        bf = m.get("x-body-field")
        if bf is None:
            continue
        if bf in documented:
            errors.append(f"messages {documented[bf]} and {name} both document body {bf}")
        documented[bf] = name
        if bf not in bodies:
            errors.append(f"message {name} documents body '{bf}', which LifecycleEvent's oneof does not have (stale)")
    for bf, field in bodies.items():
        name = documented.get(bf)
        if not name:
            errors.append(f"body '{bf}' ({field.type_name[1:]}) of LifecycleEvent has no message in the catalogue "
                          f"(add one with x-body-field: \"{bf}\")")
            continue
        m = doc_msgs[name]
        parts = (m.get("payload") or {}).get("allOf") or []
        refs = [ref_name(p.get("$ref")) for p in parts if "$ref" in p]
        props = {}
        for p in parts:
            props.update(p.get("properties") or {})
        if by_proto.get(ENVELOPE) not in refs:
            errors.append(f"message {name}: payload is not allOf the envelope schema and its body")
        body_ref = ref_name((props.get(field.json_name) or {}).get("$ref"))
        if set(props) != {field.json_name} or body_ref != by_proto.get(field.type_name[1:]):
            errors.append(f"message {name}: payload must have exactly the body property '{field.json_name}' "
                          f"with the schema of {field.type_name[1:]}")
        topic = next(t for lo, hi, t in TOPIC_OF if lo <= field.number < hi)
        channel = (doc.get("channels") or {}).get(topic) or {}
        if ref_name(((channel.get("messages") or {}).get(name) or {}).get("$ref")) != name:
            errors.append(f"message {name}: not on channel {topic}")
        ops = [o for o in (doc.get("operations") or {}).values() if ref_name((o.get("channel") or {}).get("$ref")) == topic]
        if not any(ref_name(r.get("$ref")) == name for o in ops for r in o.get("messages") or []):
            errors.append(f"message {name}: no operation of channel {topic} lists it")
        if not m.get("examples"):
            errors.append(f"message {name}: no example")

    # 2. schemas <-> proto types reachable from the envelope
    reachable, todo = set(), [ENVELOPE]
    while todo:
        t = todo.pop()
        if t in reachable:
            continue
        reachable.add(t)
        if t in messages:
            for f in messages[t].field:
                if f.type in (F.TYPE_MESSAGE, F.TYPE_ENUM) and f.type_name != ".google.protobuf.Timestamp":
                    todo.append(f.type_name[1:])
    for t in sorted(reachable):
        name = by_proto.get(t)
        if not name:
            errors.append(f"{t} has no schema (x-proto: {t})")
            continue
        s = schemas[name]
        if t in enums:
            want = [v.name for v in enums[t].value]
            if s.get("enum") != want:
                errors.append(f"schema {name}: enum values {s.get('enum')} differ from {t}'s {want}")
            continue
        fields = [f for f in messages[t].field if not (t == ENVELOPE and f.HasField("oneof_index"))]
        props = s.get("properties") or {}
        want = {f.json_name for f in fields}
        for p in sorted(set(props) - want):
            errors.append(f"schema {name}: property {p} is not a field of {t} (stale)")
        for f in fields:
            if f.json_name not in props:
                errors.append(f"schema {name}: field {f.name} of {t} is missing (property {f.json_name})")
                continue
            prop = unwrap(props[f.json_name])
            if f.label == F.LABEL_REPEATED:
                if prop.get("type") != "array":
                    errors.append(f"schema {name}.{f.json_name}: {f.name} is repeated, must be an array")
                    continue
                prop = unwrap(prop.get("items") or {})
            kind, detail = expected_kind(f)
            if kind == "ref":
                if ref_name(prop.get("$ref")) != by_proto.get(detail):
                    errors.append(f"schema {name}.{f.json_name}: must refer to the schema of {detail}")
            elif prop.get("type") != kind or (detail == "date-time" and prop.get("format") != "date-time"):
                errors.append(f"schema {name}.{f.json_name}: type must be {kind}"
                              + (f" ({detail})" if detail else "") + f" for {f.name}")
    for t, name in sorted(by_proto.items()):
        if t not in messages and t not in enums:
            errors.append(f"schema {name} describes {t}, which the contracts do not define (stale)")

    # 3. event types
    code_types = set()
    for path in glob.glob(os.path.join(source_root, "services", "*", "domain", "events.cc")):
        code_types |= set(re.findall(r'return\s+"([a-z_]+\.[a-z_]+\.[a-z_]+)";', open(path).read()))
    code_types = {t for t in code_types if not t.endswith(".unknown")}
    if not code_types:
        errors.append("no event type found in services/*/domain/events.cc")
    doc_types = set()
    for name, m in doc_msgs.items():
        if "x-body-field" not in m:
            continue
        title = m.get("title", "")
        doc_types.add(title)
        heads = (m.get("headers") or {}).get("allOf") or []
        consts = [((h.get("properties") or {}).get("ce_type") or {}).get("const") for h in heads]
        if f"ma.jobintech.{title}.v1" not in consts:
            errors.append(f"message {name}: headers must fix ce_type to ma.jobintech.{title}.v1")
        if code_types and title not in code_types:
            errors.append(f"message {name}: event type '{title}' is not defined by the services' domain code")
    for t in sorted(code_types - doc_types):
        errors.append(f"event type '{t}' (services' domain code) has no message in the catalogue")

    # 4. topics
    topics_h = open(os.path.join(source_root, "libs", "kafka", "topics.h")).read()
    topics = re.findall(r'k(Enrollment|Progress|Placement)Topic\[\] = "([^"]+)"', topics_h)
    for short, topic in topics:
        ch = (doc.get("channels") or {}).get(short.lower()) or {}
        if ch.get("address") != topic:
            errors.append(f"channel {short.lower()}: address must be {topic}")
        dlq = (doc.get("channels") or {}).get(short.lower() + "DeadLetters") or {}
        if dlq.get("address") != topic + ".dlq":
            errors.append(f"channel {short.lower()}DeadLetters: address must be {topic}.dlq")
    # 4b. partitions, replicas and retention as deployed (KafkaTopic resources)
    topics_yaml = os.path.join(source_root, "deploy", "k8s", "base", "kafka", "topics.yaml")
    if os.path.exists(topics_yaml):
        deployed = {d["spec"].get("topicName", d["metadata"]["name"]): d["spec"]
                    for d in yaml.safe_load_all(open(topics_yaml)) if d and d.get("kind") == "KafkaTopic"}
        for name, ch in (doc.get("channels") or {}).items():
            b = ((ch.get("bindings") or {}).get("kafka") or {})
            spec = deployed.get(ch.get("address"))
            if spec is None:
                errors.append(f"channel {name}: topic {ch.get('address')} is not deployed (deploy/k8s/base/kafka)")
                continue
            conf = spec.get("config") or {}
            want = {"partitions": spec.get("partitions"), "replicas": spec.get("replicas"),
                    "retention.ms": conf.get("retention.ms")}
            got = {"partitions": b.get("partitions"), "replicas": b.get("replicas"),
                   "retention.ms": (b.get("topicConfiguration") or {}).get("retention.ms")}
            if got != want:
                errors.append(f"channel {name}: bindings {got} differ from the deployed topic {want}")
    return errors, len(bodies), len(reachable)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "events", "asyncapi.yaml"))
    ap.add_argument("--proto-root", default=os.path.join(ROOT, "proto"))
    ap.add_argument("--source-root", default=ROOT)
    ap.add_argument("--no-parser", action="store_true", help="skip the AsyncAPI parser (self-check cases)")
    args = ap.parse_args()
    errors, nbodies, ntypes = check(args.doc, args.proto_root, args.source_root)
    if not args.no_parser:
        p = subprocess.run(["node", os.path.join(HERE, "asyncapi_validate.js"), args.doc],
                           capture_output=True, text=True)
        print((p.stdout + p.stderr).strip())
        if p.returncode:
            errors.append("the AsyncAPI parser rejected the document (above)")
    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        return 1
    print(f"catalogue: {nbodies} event bodies of the oneof documented, {ntypes} contract types with matching schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
