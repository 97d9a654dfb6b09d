"""Site models: what a site's own moderators decide, learned (``modtool train``).

:mod:`.features` turns texts into features (hashed word and character n-grams,
and the offline BiLSTM's pooled states when it is installed), :mod:`.train`
gathers the human moderators' majority labels, cross-validates and fits one
scikit-learn logistic regression per label and stores it, :mod:`.scorer` is
``--scorer site``, which writes ``site:<label>`` scores. Nothing here is
imported until one of those commands runs.
"""
