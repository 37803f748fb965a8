// The official `openai` npm package, unchanged, against Switchboard: only baseURL differs.
// Usage: node quickstart.mjs [baseURL]   (default http://127.0.0.1:4000/v1)
import OpenAI from "openai";

const baseURL = process.argv[2] ?? process.env.SWITCHBOARD_URL ?? "http://127.0.0.1:4000/v1";
const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? "anything", maxRetries: 0 });

const completion = await client.chat.completions.create({
  model: "mock-echo",
  messages: [{ role: "user", content: "Hello from Node" }],
});
console.log("chat:", completion.choices[0].message.content);

let streamed = "";
const stream = await client.chat.completions.create({
  model: "mock-echo",
  messages: [{ role: "user", content: "Streaming from Node" }],
  stream: true,
  stream_options: { include_usage: true },
});
let usage;
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? "";
  usage = chunk.usage ?? usage;
}
console.log("stream:", streamed, "| total tokens:", usage?.total_tokens);

const embeddings = await client.embeddings.create({ model: "mock-embedding", input: ["one", "two"] });
console.log("embeddings:", embeddings.data.length, "vectors of", embeddings.data[0].embedding.length);

const models = [];
for await (const model of client.models.list()) models.push(model.id);
console.log("models:", models.join(", "));

try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] });
  console.log("error: none (unexpected)");
  process.exitCode = 1;
} catch (err) {
  console.log("error:", err.status, err.code);
}
