/** Internal: reading and writing the files commands are given, with errors users can read. */
import { readFile, writeFile } from 'node:fs/promises';
import { fromFileErrno, ParseError } from '../../errors.js';

/** A file's text. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fromFileErrno(e, path);
  }
}

/** A file's JSON. */
export async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ParseError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Writes a whole file. */
export async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw fromFileErrno(e, path);
  }
}
