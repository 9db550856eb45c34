import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EdfiReader, EdfiRecordKind, EdfiRecords } from 'connectors/sdk/drivers/edfi/edfi-records';
import { interchangeRoot, readInterchange } from 'connectors/sdk/drivers/edfi/interchange-reader';
import { XML_CONVERTERS, XML_SOURCES } from 'connectors/sdk/drivers/edfi/xml-records';

/**
 * Records from a folder of Ed-Fi XML interchange files (the bulk-load format). Files are recognised by their
 * root element (`InterchangeStudentEnrollment` …), not by name, so `StudentEnrollment-2.xml` or a split file
 * works; every file of an interchange is read, in name order. Each read streams the files afresh.
 */
export class EdfiXmlReader implements EdfiReader {
  private roots: Promise<Map<string, string[]>> | null = null;

  constructor(private readonly dir: string) {}

  /** Interchange root → its files, found once per reader. */
  interchanges(): Promise<Map<string, string[]>> {
    this.roots ??= this.scan();
    return this.roots;
  }

  async *read<K extends EdfiRecordKind>(kind: K): AsyncGenerator<Array<EdfiRecords[K]>> {
    const source = XML_SOURCES[kind];
    const files = (await this.interchanges()).get(source.interchange) ?? [];
    const wanted = new Set(source.elements);
    const convert = XML_CONVERTERS[kind];
    for (const file of files) {
      for await (const batch of readInterchange(file, wanted)) yield batch.map((rec) => convert(rec));
    }
  }

  private async scan(): Promise<Map<string, string[]>> {
    const info = await stat(this.dir);
    const files = info.isDirectory()
      ? (await readdir(this.dir))
          .filter((f) => f.toLowerCase().endsWith('.xml'))
          .sort()
          .map((f) => join(this.dir, f))
      : [this.dir];
    const out = new Map<string, string[]>();
    for (const f of files) {
      const root = await interchangeRoot(f);
      if (!root || !root.startsWith('Interchange')) continue;
      out.set(root, [...(out.get(root) ?? []), f]);
    }
    return out;
  }
}
