import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/**
 * A small schema-driven protobuf decoder: it turns OTLP's binary messages into
 * the same shape as OTLP/JSON (lowerCamelCase keys, 64-bit integers as decimal
 * strings, bytes as hex), so one mapping serves both encodings. The wire format
 * is read by @bufbuild/protobuf (no code generation, no eval); fields not in
 * the schema are skipped, as protobuf requires.
 */
export type Scalar =
  | "string"
  | "bytes"
  | "bool"
  | "double"
  | "int64"
  | "uint32"
  | "int32"
  | "sint32"
  | "fixed32"
  | "fixed64"
  | "sfixed64";

export interface FieldSpec {
  name: string;
  type: Scalar | (() => MessageSpec);
  repeated?: boolean;
}

export type MessageSpec = Record<number, FieldSpec>;
export type Decoded = Record<string, unknown>;

/** Nesting deeper than this is refused (AnyValue can nest without end). */
const MAX_DEPTH = 32;

export class DecodeError extends Error {}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function scalar(reader: BinaryReader, type: Scalar): unknown {
  switch (type) {
    case "bytes":
      return hex(reader.bytes());
    case "int64":
    case "fixed64":
    case "sfixed64":
      return String(reader[type]());
    default:
      // The reader's method of each other scalar has the scalar's name.
      return reader[type]();
  }
}

function message(reader: BinaryReader, end: number, spec: MessageSpec, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw new DecodeError("the message nests too deeply");
  const out: Decoded = {};
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    const field = spec[no];
    if (!field) {
      reader.skip(wire, no);
      continue;
    }
    let value: unknown;
    if (typeof field.type === "function") {
      if (wire !== WireType.LengthDelimited)
        throw new DecodeError(`${field.name}: wrong wire type`);
      const length = reader.uint32();
      const stop = reader.pos + length;
      if (stop > end) throw new DecodeError(`${field.name}: length past the end`);
      value = message(reader, stop, field.type(), depth + 1);
      reader.pos = stop;
    } else {
      value = scalar(reader, field.type);
    }
    if (!field.repeated) out[field.name] = value;
    else if (Array.isArray(out[field.name])) (out[field.name] as unknown[]).push(value);
    else out[field.name] = [value];
  }
  if (reader.pos !== end) throw new DecodeError("a field runs past the end of its message");
  return out;
}

/** Decodes `bytes` as the message `spec`; throws DecodeError when they are not one. */
export function decode(bytes: Uint8Array, spec: MessageSpec): Decoded {
  const reader = new BinaryReader(bytes);
  try {
    return message(reader, bytes.length, spec, 0);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    // The reader's own errors: truncated varints, premature ends, bad UTF-8.
    throw new DecodeError(error instanceof Error ? error.message : String(error));
  }
}
