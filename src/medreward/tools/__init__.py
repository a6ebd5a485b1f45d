"""The tools around the library: the command line and what it runs.

- :mod:`medreward.tools.cli`: ``medreward demo``, ``score``, ``explain``, ``extract``;
- :mod:`medreward.tools.scoring`: reading, batching and summarizing a JSONL file (``score``);
- :mod:`medreward.tools.report`: the PNG report of ``score --report``;
- :mod:`medreward.tools.explain`: every step behind one completion's scores (``explain``);
- :mod:`medreward.tools.demo`: the built-in completions that ``demo`` scores;
- :mod:`medreward.tools.gauntlet`: the reward-hacking cases and pathological inputs that the tests
  and benchmarks share.

The library (the rewards, their composition and the medical matcher) never imports these.
"""
