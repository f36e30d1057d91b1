// Every protocol folder's `fixtures.ts`, loaded by directory listing, and every capture of the
// corpus: the tests, the fuzzer and the DPI bench run over all of them without a list to keep in
// step with the folders. Not exported from index.ts, so the library surface (and the CLI bundle)
// does not carry the file-system walk.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProtocolFixture } from './fixture.ts';

/** The fixtures of every protocol folder, in folder-name order. */
export async function allFixtures(): Promise<ProtocolFixture[]> {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const out: ProtocolFixture[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const file = join(dir, entry, 'fixtures.ts');
    if (!statSync(join(dir, entry)).isDirectory() || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { fixtures?: readonly ProtocolFixture[] };
    out.push(...(mod.fixtures ?? []));
  }
  return out;
}

/** The corpus's capture folder (reference/corpus/pcap), absolute. */
export const CORPUS_PCAPS = fileURLToPath(new URL('../../reference/corpus/pcap/', import.meta.url));

/** Every file under `dir` (the corpus's captures by default), walked in name order. */
export function corpusCaptures(dir = CORPUS_PCAPS): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? corpusCaptures(path) : [path];
    });
}
