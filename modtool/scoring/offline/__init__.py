"""The offline scorer: ``toxic-comment-classifier`` 0.3.0's BiLSTM without TensorFlow.

Modules: :mod:`.tokenizer` (Keras tokenizer rules, the restricted unpickler),
:mod:`.bilstm` (the network in numpy), :mod:`.convert` (wheel → arrays, once,
with h5py), :mod:`.cache` (the converted files, checked), :mod:`.fetch`
(``modtool models fetch offline``), :mod:`.scorer` (the :class:`Scorer`).
Nothing here is imported until the offline scorer is asked for.
"""
