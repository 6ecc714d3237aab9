"""The service both front doors call: reads of a learner's place and progress, and the
one-transaction writes (an answer, a choice, a restart, a topic).

It joins teaching (what to decide) to the store (what is kept): read, decide with the pure
functions of teaching, write, all in one transaction. It may import every layer below it;
the web imports it, never the other way.
"""
