// The HTTP half of the I/O floor: a bare client that reads every GrowthBook member page in order
// and, at the same time, fetches data.yaml once. No validation, no retries: just the reads.
//   node floor-http.mjs <growthbook-url> <api-key> <data.yaml url>
const [base, key, dataYamlUrl] = process.argv.slice(2);
const headers = { authorization: `Bearer ${key}`, 'user-agent': 'bench-floor' };

async function members() {
  let requests = 0;
  let read = 0;
  for (let offset = 0; ; ) {
    const res = await fetch(`${base}/api/v1/members?limit=100&offset=${offset}`, { headers });
    requests++;
    const page = await res.json();
    read += page.members.length;
    if (!page.hasMore) return { requests, read };
    offset = page.nextOffset;
  }
}

async function dataYaml() {
  const res = await fetch(dataYamlUrl, { headers: { 'user-agent': 'bench-floor' } });
  return (await res.text()).length;
}

const [m, bytes] = await Promise.all([members(), dataYaml()]);
process.stdout.write(`${JSON.stringify({ ...m, dataYamlBase64Bytes: bytes })}\n`);
