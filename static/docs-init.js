// Starts the API docs viewer (Swagger UI, vendored) on /docs. A file, not an inline
// script, so the page's Content-Security-Policy can refuse inline scripts.
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.url,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // The viewer would otherwise send the schema to an outside validator.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
