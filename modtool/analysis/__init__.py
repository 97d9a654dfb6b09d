"""What moderators' labels and the reply tree say: majority labels, agreement
between moderators, calibration of score thresholds, discourse statistics.

No SQL here (the store's ``dataset`` repository streams the rows) and no
Textual or torch.
"""
