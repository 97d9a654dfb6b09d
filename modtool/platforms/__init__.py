"""Talking to the platforms themselves: API clients, credentials, and applying
moderators' decisions on a live site.

* :mod:`~modtool.platforms.http` — the one HTTP client (httpx) every platform
  call goes through: timeouts, retries with backoff on 429/5xx (``Retry-After``
  honoured), bounded answers, one-line errors, never a credential in a message.
* :mod:`~modtool.platforms.credentials` — secrets from the environment or a
  private config file, never from the command line, never stored or logged.
* :mod:`~modtool.platforms.wordpress_rules` — what a WordPress comment id is
  (no network; the WP-CLI export uses it too).
* :mod:`~modtool.platforms.wordpress` — the WordPress REST API client.
* :mod:`~modtool.platforms.apply` — ``modtool decisions --apply``: decisions
  checked, carried out once each, and audited in the store.

Nothing here imports the CLI; the store is reached only through its repositories.
"""
