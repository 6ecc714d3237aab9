"""Teaching: the tutor's judgement, as pure functions. Learner state, mastery (knowledge
tracing), the adaptive policy, grading, relocation after a lesson edit, what is shown
(payloads), analytics and the labs' models.

Nothing here touches a request, a database or the clock; randomness comes in as a seeded
``numpy.random.Generator``. It may import lessons, render, the engine and the vocabulary;
never the store, the service or the web.
"""
