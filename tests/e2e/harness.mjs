// Starts the real `nectr-auth dev` (service, GitHub stand-in and example frontend) on free
// ports, the frontend and the service on different origins as in production, and opens
// Debian's Chromium through Playwright.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
export const artifacts = join(here, "artifacts");

const binary = process.env.NECTR_AUTH_BIN || join(repo, "target", "debug", "nectr-auth");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `url` until it answers at all, or fails after `ms`. */
async function waitFor(url, ms, output) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`${url} never answered; nectr-auth dev printed:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A running `nectr-auth dev` and a browser; `close()` stops both. */
export async function startWorld() {
  const [backendPort, frontendPort] = [await freePort(), await freePort()];
  const workdir = mkdtempSync(join(tmpdir(), "nectr-auth-e2e-"));
  const backend = `http://localhost:${backendPort}`;
  const frontend = `http://localhost:${frontendPort}`;
  const child = spawn(binary, ["dev"], {
    cwd: workdir,
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(backendPort),
      BACKEND_URL: backend,
      FRONTEND_URL: frontend,
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((r) => child.once("exit", r));

  await waitFor(`http://127.0.0.1:${backendPort}/auth/me`, 30_000, () => output);
  await waitFor(`http://127.0.0.1:${frontendPort}/`, 10_000, () => output);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    backend,
    frontend,
    browser,
    output: () => output,
    async close() {
      await browser.close();
      child.kill("SIGTERM");
      await exited;
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `body` with a fresh page (its own cookies); on failure saves a screenshot named after
 * the test into artifacts/ before rethrowing.
 */
export async function withPage(world, name, body) {
  const context = await world.browser.newContext();
  const page = await context.newPage();
  try {
    await body(page, context);
  } catch (error) {
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}

/** Saves a screenshot of the current page into artifacts/. */
export async function snapshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
