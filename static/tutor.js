// A little help on top of pages that work without it: a step's conversation grows in place
// (an answer is sent without leaving the page, and the new feedback is focused so screen
// readers read it first), a switch of topic is confirmed in place, and a sent form cannot
// be sent twice.
// In the labs, results follow the form as you type, and the descent lab can play its steps.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const feedback = document.getElementById("feedback");
  if (feedback && location.hash === "#feedback") {
    feedback.focus({ preventScroll: false });
  }
  wire(document);
  for (const form of document.querySelectorAll("form[data-live]")) {
    live(form);
  }
  playButton();
});

function wire(root) {
  for (const form of root.querySelectorAll("form[method=post]")) {
    if (form.hasAttribute("data-in-place")) inPlace(form);
    if (form.classList.contains("topic")) askFirst(form);
    sendOnce(form);
  }
}

// Send a form of the conversation and put the step's new conversation in place of the old:
// the server answers with the same page a browser without JavaScript is sent to. Anything
// unexpected (another page, an error, no network) falls back to sending the form as usual.
function inPlace(form) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.sent) return;
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    const button = event.submitter;
    if (button?.name) body.append(button.name, button.value);
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    } catch {
      return sendAsUsual(form, button);
    }
    const here = document.getElementById("conversation");
    const page = new URL(response.url);
    const sameStep = page.pathname === location.pathname || response.status === 422;
    if (!here || !sameStep || (!response.ok && response.status !== 422)) {
      return response.ok ? location.assign(page.href + hashFor(form)) : sendAsUsual(form, button);
    }
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById("conversation");
    if (!fresh) return sendAsUsual(form, button);
    here.replaceWith(fresh);
    document.title = doc.title;
    if (response.ok) history.replaceState(null, "", page.pathname + page.search + hashFor(form));
    wire(fresh);
    const target =
      document.getElementById("answer-error") ||
      (form.classList.contains("hint-form") && document.getElementById("hints")) ||
      (form.classList.contains("answer") && document.getElementById("feedback")) ||
      document.getElementById("question") ||
      document.getElementById("feedback") ||
      fresh;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  });
}

function hashFor(form) {
  if (form.classList.contains("answer")) return "#feedback";
  return form.classList.contains("hint-form") ? "#hints" : "#question";
}

function sendAsUsual(form, button) {
  if (button?.name) {
    const carried = document.createElement("input");
    carried.type = "hidden";
    carried.name = button.name;
    carried.value = button.value;
    form.append(carried);
  }
  form.dataset.sent = "yes";
  HTMLFormElement.prototype.submit.call(form);
}

// Another topic from the menu: the server's question (the page shown without JavaScript)
// opens under the menu instead. Its Switch sends the form again, confirmed; Keep closes it.
// The topic already in use is kept without a question, and the page follows.
function askFirst(form) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.sent) return;
    event.preventDefault();
    let response;
    try {
      const body = new URLSearchParams(new FormData(form));
      response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    } catch {
      return sendAsUsual(form);
    }
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const ask = response.ok && doc.getElementById("topic-confirm");
    if (!ask) {
      const hash = new URL(form.elements.back.value, location.href).hash;
      return response.ok ? location.assign(response.url + hash) : sendAsUsual(form);
    }
    const heading = ask.querySelector("h1");
    const title = document.createElement("h2");
    title.id = heading.id;
    title.tabIndex = -1;
    title.append(...heading.childNodes);
    heading.replaceWith(title);
    document.getElementById("topic-confirm")?.remove();
    form.after(ask);
    wire(ask);
    setTimeout(() => reopen(form)); // another topic may be chosen while it is open
    ask.querySelector("a.keep").addEventListener("click", (click) => {
      click.preventDefault();
      ask.remove();
      form.reset();
      form.querySelector("select").focus();
    });
    title.focus();
  });
}

// A double click sends a form once. The buttons are disabled after the submit event, not
// in it: a button disabled in time would leave its own name and value out of the form.
function sendOnce(form) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "yes";
    setTimeout(() => {
      for (const button of form.querySelectorAll("button")) button.disabled = true;
    });
  });
}

// Back to a page kept in the browser's cache: its forms can be sent again (the server
// answers a second copy of an answer with what it recorded).
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-sent]")) reopen(form);
});

function reopen(form) {
  delete form.dataset.sent;
  for (const button of form.querySelectorAll("button")) button.disabled = false;
}

// Fetch the lab's results for the form's current values and swap them in.
function live(form) {
  const target = document.getElementById(form.dataset.target);
  const status = document.getElementById("lab-status");
  let timer = null;
  let latest = 0;
  const update = async () => {
    const query = new URLSearchParams(new FormData(form)).toString();
    const asked = ++latest;
    try {
      const response = await fetch(`${form.dataset.live}?${query}`);
      const html = await response.text();
      if (asked !== latest) return; // a newer request is on its way
      target.innerHTML = html;
      history.replaceState(null, "", `${form.action}?${query}`);
      const out = target.querySelector("[data-summary]");
      if (status && out) status.textContent = out.dataset.summary;
      playButton();
    } catch {
      // Offline or the server is gone: the Compute button still submits the form.
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
}

// The descent lab: show the steps one at a time, or all at once when motion is unwelcome.
function playButton() {
  const chart = document.querySelector("#lab-results .chart");
  const steps = document.querySelectorAll("#lab-results .step");
  if (!chart || !steps.length || document.getElementById("play")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "play";
  button.className = "secondary";
  button.textContent = "Play the steps";
  chart.closest("figure").before(button);
  button.addEventListener("click", () => {
    const results = document.getElementById("lab-results");
    const items = [...results.querySelectorAll(".step, tr[data-step]")];
    const count = results.querySelectorAll(".step").length;
    if (matchMedia("(prefers-reduced-motion: reduce)").matches) {
      // No animation: every step at once. Go to the table of steps, and say so.
      results.classList.remove("playing");
      items.forEach((item) => item.classList.add("shown"));
      results.querySelector(".steps-table")?.closest(".table-wrap")?.focus();
      const taken = results.querySelectorAll("tr[data-step]").length;
      const status = document.getElementById("lab-status");
      if (status) status.textContent = `All ${taken} steps are shown, in the chart and the table.`;
      return;
    }
    results.classList.add("playing");
    items.forEach((item) => item.classList.remove("shown"));
    for (let n = 0; n <= count; n++) {
      setTimeout(() => {
        for (const item of items) {
          if (Number(item.dataset.step) <= n) item.classList.add("shown");
        }
        if (n === count) results.classList.remove("playing");
      }, 450 * n);
    }
  });
}
