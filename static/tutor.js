// A little help on top of pages that work without it: the topic menu switches on
// change, and after an answer the feedback is focused so screen readers read it first.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  const feedback = document.getElementById("feedback");
  if (feedback && location.hash === "#feedback") {
    feedback.focus({ preventScroll: false });
  }
});
