/**
 * The marks plain output prints in front of a claim, a status row or a step: one table for the
 * headless commands (no colour: the mark alone carries the verdict) and the UI's glyphs.
 */
export const MARK = {ok: '✔', warn: '‼', fail: '✘', skip: '–'} as const;

/** A check result's mark (pass, warn, fail, skip). */
export const CHECK_MARK: Readonly<Record<'pass' | 'warn' | 'fail' | 'skip', string>> = {pass: MARK.ok, warn: MARK.warn, fail: MARK.fail, skip: MARK.skip};
