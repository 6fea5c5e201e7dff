/**
 * The gupdate update manifest (update.xml) Chrome and Edge poll at an extension's update URL: which
 * version is current for an id, and where its .crx is.
 */
const xmlText = (value: string) => value.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function updateManifest(app: { id: string; version: string; codebase: string }): string {
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>",
    `  <app appid='${xmlText(app.id)}'>`,
    `    <updatecheck codebase='${xmlText(app.codebase)}' version='${xmlText(app.version)}' />`,
    '  </app>',
    '</gupdate>',
    '',
  ].join('\n');
}
