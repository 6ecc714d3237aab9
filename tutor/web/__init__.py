"""The front doors: the learner's pages, the JSON API, the instructor's pages and API, the
labs' routes, their dependencies, security (cookies, CSRF, headers) and the response models.

Routes are thin: parse, one service call, render or serialise. This is the only layer that
knows about requests, and nothing imports it but the app; it may import the service and
every layer below it (for the vocabulary, the errors and the rendering filters).
"""
