const N = 20000; let i = 0;
const t = performance.now();
await Promise.all(Array.from({ length: 32 }, async () => { while (i++ < N) { const r = await fetch(`http://127.0.0.1:39111/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa`, { method: "POST", body: "{}" }); await r.text(); } }));
console.log("noop POST/s", Math.round(N / ((performance.now() - t) / 1000)));
const t2 = performance.now(); i = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (i++ < N) { const r = await fetch(`http://127.0.0.1:39111/`); await r.text(); } }));
console.log("GET / /s", Math.round(N / ((performance.now() - t2) / 1000)));
