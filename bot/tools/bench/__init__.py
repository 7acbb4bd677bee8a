"""`make bench`: accuracy, latency, throughput, training time, cold start and memory, measured in one
run for our pipeline and for Rasa's default pipeline (what `rasa init` writes) trained on the same data.

What it does, in order:

1. trains both configurations into models/bench/ours and models/bench/default (`rasa train --force`,
   a private training cache), alternating ours/default when `--repeat-training N` > 1;
2. for each repetition, for each model (the order flips every repetition), starts the real stack
   (Rasa server + action server + website, `bot.tools.run.Stack`) on free loopback ports against a fresh
   SQLite database (the default configuration on stock Rasa: Rasa's own SQLTrackerStore and none of
   our patches, which load only with our model's policies), times the cold start to the first REST answer, then drives scripted conversations
   (FAQ questions, the full fit check by button payloads, a callback request) through the REST channel
   from 1, 10 and 50 concurrent users, reads the peak RSS of each process tree, and stops the stack;
3. once per model (with that model's action server up): held-out NLU accuracy, crisis recall and
   near-misses given a safety reply (`bot.tools.evaluate.score`), and a per-turn time profile in process
   (NLU parse, policies, action server calls, tracker store) - in a child process so that TensorFlow
   never runs inside the load generator;
4. writes results/bench.json and results/bench.md.

Load model: by default each simulated user sends its next message as soon as the previous reply
arrives (no think time), so N users keep up to N requests in flight: a stress test, not a typing
simulation. `--think-time S` adds a pause before each message, as a person reading and typing.
Ratios ours/default are computed per repetition (a pair) and the median of the pairs is reported.

`--only ours` (or `--only default`) measures one configuration and reports no ratios. With `--quick`
and our model already trained (models/iop.tar.gz) it trains nothing, which makes it the smoke test
of the harness itself (stack, load, /proc, profile, report) in a few minutes. The default pipeline's
100 epochs took 16 minutes on a fast 2-core machine with less data, and would take hours on a slow
one; `--default-epochs 1` trains its networks for one epoch, which changes what they learned but not
the work a message takes, so it measures speed (its accuracy is then not reported).

    python -m bot.tools.bench                       # full run (about 27 minutes on 2 cores, 16 of them
                                                    # training the default pipeline)
    python -m bot.tools.bench --quick               # 1 repetition, fewer conversations, reuses models
    python -m bot.tools.bench --quick --only ours   # smoke run: no training, ours only
    python -m bot.tools.bench --default-epochs 1    # speed against a briefly trained default

Modules: cli (arguments, the run), train (both configurations, Rasa's default config), stack (the
real stack per model), load (scripted conversations, the load generator), procfs (memory and CPU
from /proc), profile (NLU scores and per-turn profile, child process), stats, targets, fmt, report
(markdown and JSON), project (the assistant's own code the benchmark calls); soak (`make soak`: the
scaled profile at a person's pace for ten minutes, one Rasa server killed halfway); stores (`make
bench-stores`: a turn's tracker store work on SQLite, PostgreSQL and Redis).
"""
