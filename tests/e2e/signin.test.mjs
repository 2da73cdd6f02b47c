// The whole product in a real browser: the example frontend on one origin, nectr-auth on
// another, GitHub played by the development stand-in's sign-in page.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { snapshot, startWorld, withPage } from "./harness.mjs";

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

/** From the frontend's sign-in button through the stand-in's page, as `person`. */
async function signIn(page, person = "octocat") {
  await page.goto(world.frontend + "/");
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await page.waitForURL(/\/_dev\/github\/login\/oauth\/authorize/);
  await page.check(`input[name=person][value=${person}]`);
  await page.click("button[name=decision][value=authorize]");
  await page.waitForURL(world.frontend + "/dashboard");
  await page.locator("#dashboard").waitFor();
}

test("sign in lands on the dashboard with the right user, and a reload keeps the session", async () => {
  await withPage(world, "sign-in", async (page) => {
    await signIn(page, "octocat");
    assert.equal(await page.textContent("#login"), "@octocat");
    assert.equal(await page.textContent("#name"), "The Octocat");
    await snapshot(page, "dashboard");
    await page.reload();
    await page.locator("#dashboard").waitFor();
    assert.equal(await page.textContent("#login"), "@octocat");
  });
});

test("the dashboard lists the organizations Nectr can see and links to grant more", async () => {
  await withPage(world, "organizations", async (page) => {
    await signIn(page, "octocat");
    await page.locator("#orgs li", { hasText: "octo-org" }).waitFor();
    const link = await page.getAttribute("#grant-link", "href");
    assert.match(link, /\/_dev\/github\/settings\/connections\/applications\//);
    assert.equal(await page.isHidden("#scopes-note"), true, "every scope was granted");
    const reconnect = await page.getAttribute("#reconnect", "href");
    assert.match(reconnect, /\/auth\/github\/reconnect$/);
    assert.equal(await page.isVisible("#access-help"), true, "GitHub's hidden-organization help");
  });
});

test("signing in with GitLab lands on the dashboard as the GitLab person", async () => {
  await withPage(world, "gitlab", async (page) => {
    await page.goto(world.frontend + "/");
    await page.getByRole("link", { name: "Sign in with GitLab" }).click();
    await page.waitForURL(world.frontend + "/dashboard");
    await page.locator("#dashboard").waitFor();
    assert.equal(await page.textContent("#login"), "@tanuki");
    assert.match(await page.textContent("#github-id"), /gitlab 4242001/);
    const reconnect = await page.getAttribute("#reconnect", "href");
    assert.match(reconnect, /\/auth\/gitlab\/reconnect$/);
    // GitLab only lists groups with `read_api`, which plain sign-in does not ask for.
    await page.locator("#orgs-problem").waitFor();
    assert.equal(await page.isHidden("#access-help"), true, "no GitHub advice for a GitLab person");
  });
});

test("the session cookie is HttpOnly: page script cannot read it", async () => {
  await withPage(world, "httponly", async (page, context) => {
    await signIn(page);
    const cookies = await context.cookies(world.backend);
    const session = cookies.find((c) => c.name === "access_token");
    assert.ok(session, "the browser holds the session cookie");
    assert.equal(session.httpOnly, true);
    const visible = await page.evaluate(() => document.cookie);
    assert.ok(!visible.includes("access_token"), `document.cookie: ${visible}`);
    const fromBackendPage = await page.evaluate(async (api) => {
      const response = await fetch(api + "/auth/me", { credentials: "include" });
      return response.status;
    }, world.backend);
    assert.equal(fromBackendPage, 200, "cross-origin fetch with credentials works");
  });
});

test("a person with a 64-bit id and a private email signs in", async () => {
  await withPage(world, "big-id", async (page) => {
    await signIn(page, "big-id");
    assert.equal(await page.textContent("#github-id"), "5000000000");
  });
  await withPage(world, "private-email", async (page) => {
    await signIn(page, "private-email");
    assert.match(await page.textContent("#email"), /@/);
  });
});

test("Cancel on GitHub shows a readable error and no session", async () => {
  await withPage(world, "cancel", async (page, context) => {
    await page.goto(world.frontend + "/");
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(/\/_dev\/github\/login\/oauth\/authorize/);
    await page.click("button[name=decision][value=cancel]");
    await page.waitForURL(/\/auth\/github\/callback\?error=access_denied/);
    const shown = await page.textContent("body");
    assert.match(shown, /cancelled/);
    assert.match(shown, /not signed in/);
    const cookies = await context.cookies(world.backend);
    assert.ok(!cookies.some((c) => c.name === "access_token"), "no session cookie");
    await page.goto(world.frontend + "/dashboard");
    await page.locator("#signed-out").waitFor();
  });
});

test("logout ends the session and the dashboard shows signed-out", async () => {
  await withPage(world, "logout", async (page) => {
    await signIn(page);
    await page.click("#logout");
    await page.locator("#signed-out").waitFor();
    assert.match(await page.textContent("#signed-out-notice"), /signed out/);
    await page.goto(world.frontend + "/dashboard");
    await page.locator("#signed-out").waitFor();
  });
});

test("a copied cookie is dead after logout, and the page says the session ended", async () => {
  await withPage(world, "expired", async (page, context) => {
    await signIn(page);
    const copied = (await context.cookies(world.backend)).find((c) => c.name === "access_token");
    await page.click("#logout");
    await page.locator("#signed-out").waitFor();
    await context.addCookies([copied]);
    await page.goto(world.frontend + "/dashboard");
    await page.locator("#signed-out").waitFor();
    assert.match(await page.textContent("#signed-out-notice"), /expired or was ended/);
  });
});

test("reconnect goes through GitHub again and comes back signed in", async () => {
  await withPage(world, "reconnect", async (page) => {
    await signIn(page);
    await page.getByRole("link", { name: "Grant organization access" }).click();
    await page.waitForURL(/\/_dev\/github\/login\/oauth\/authorize/);
    await page.check("input[name=person][value=octocat]");
    await page.click("button[name=decision][value=authorize]");
    await page.waitForURL(world.frontend + "/dashboard");
    await page.locator("#dashboard").waitFor();
    assert.equal(await page.textContent("#login"), "@octocat");
  });
});
