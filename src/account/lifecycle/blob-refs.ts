// Blob references inside a record in AT JSON form: `{"$type":"blob","ref":{"$link":cid},...}` at any depth.
export function blobRefsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) blobRefsOf(v, out);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const ref = o.ref as { $link?: unknown } | undefined;
    if (o.$type === "blob" && ref && typeof ref.$link === "string") out.push(ref.$link);
    else for (const v of Object.values(o)) blobRefsOf(v, out);
  }
  return out;
}
