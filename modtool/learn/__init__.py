"""Site models: what a site's own moderators decide, learned (``modtool train``).

:mod:`.train` gathers the human moderators' majority labels, cross-validates and
fits one scikit-learn logistic regression per label on the features of
:mod:`modtool.scoring.site_features` (hashed word and character n-grams, and the
offline BiLSTM's pooled states when it is installed) and stores it.
``--scorer site`` (:mod:`modtool.scoring.site`) runs a stored model like any
other scorer, writing ``site:<label>`` scores: running is scoring's, learning is
this package's, so imports go learn -> scoring, never back. Nothing here is
imported until ``modtool train`` runs.
"""
