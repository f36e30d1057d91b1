export { ByteReader, LIMITS } from './byte-reader.ts';
export { ByteWriter } from './byte-writer.ts';
export { hex, toHex } from './hex.ts';
