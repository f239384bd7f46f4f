"""Time limits on every Snowflake connection this process opens, ours and dbt-snowflake's.

- the login: ``login_timeout`` is the connector's login timeout and also each login request's socket timeout,
  so an endpoint that accepts TCP and never answers fails in ``login_timeout`` seconds (the connector's own
  socket timeout is 60 s whatever the login timeout says);
- once logged in: each request waits at most ``network_timeout`` seconds for an answer (Snowflake itself holds
  a request up to 45 s while a statement runs, then the client polls), and a request that keeps failing is
  retried for at most ``login_timeout`` seconds (``bounded_backoff``), then raises;
- dbt-snowflake opens its own connections without any of this: ``bounded_connections`` puts the same limits on
  them for the duration of a dbt run in this process.

The connector's ``network_timeout`` is not used: it cancels any query running longer, a long ``COPY`` included.
When a connection fails, ``reachability`` says what really happened (refused, host unknown, no answer).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from hospital_analytics.warehouse.snowflake.settings import SnowflakeSettings

UNREACHABLE_ERRNO = 250001  # the connector's "could not connect to Snowflake backend" code
DISABLE_PLATFORM_DETECTION = "SNOWFLAKE_DISABLE_PLATFORM_DETECTION"


def bounded_backoff(seconds: float, where: str) -> Callable[[], Iterator[int]]:
    """A connector ``backoff_policy`` (the connector's own exponential backoff) that gives up ``seconds`` after a
    request's first try: a request that keeps failing then raises an ``OperationalError`` (a ``WarehouseError``
    for our callers) instead of being retried forever."""
    from snowflake.connector.backoff_policies import exponential_backoff
    from snowflake.connector.errors import OperationalError

    def policy() -> Iterator[int]:
        deadline = time.monotonic() + seconds
        for sleep in exponential_backoff()():
            left = deadline - time.monotonic()
            if left <= 0:
                raise OperationalError(
                    msg=f"Snowflake at {where} stopped answering (no reply for {seconds:g} s)", errno=UNREACHABLE_ERRNO
                )
            yield max(1, min(sleep, math.ceil(left)))

    return policy


def endpoint(kwargs: Mapping[str, Any]) -> tuple[str, int] | None:
    """(host, port) the connector will talk to, when known without a named connection."""
    host = kwargs.get("host") or (f"{kwargs['account']}.snowflakecomputing.com" if kwargs.get("account") else None)
    if not host:
        return None
    port = int(kwargs.get("port") or (80 if kwargs.get("protocol") == "http" else 443))
    return str(host), port


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine (``localhost`` or a loopback address)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def connect(kwargs: Mapping[str, Any], sf: SnowflakeSettings, where: str) -> Any:
    """``snowflake.connector.connect(**kwargs)`` within ``sf``'s time limits (see the module docstring).

    Raises:
        snowflake.connector.errors.Error: the connector's own errors (the caller words them).
    """
    import snowflake.connector

    return _bounded(snowflake.connector.connect, kwargs, sf, where)


def _bounded(connect_fn: Callable[..., Any], kwargs: Mapping[str, Any], sf: SnowflakeSettings, where: str) -> Any:
    given = dict(kwargs)
    given["login_timeout"] = sf.login_timeout
    given["socket_timeout"] = sf.login_timeout  # the login's requests; raised to network_timeout below
    given.setdefault("backoff_policy", bounded_backoff(sf.login_timeout, where))
    target = endpoint(given)
    from snowflake.connector.errors import Error as SnowflakeError

    with _platform_detection_off(target is not None and is_loopback(target[0])):
        try:
            con = connect_fn(**given)
        except SnowflakeError as exc:
            if getattr(exc, "errno", None) in (250001, 250003):  # say what happened, for dbt's message too
                found = reachability(given, sf.login_timeout)
                if found:
                    exc.msg = f"Cannot reach Snowflake at {where} (login timeout {sf.login_timeout} s): {found}"
            raise
    # The connector reads this for every request it sends from now on (there is no public setter).
    con._socket_timeout = sf.network_timeout
    return con


@contextlib.contextmanager
def _platform_detection_off(off: bool) -> Iterator[None]:
    """The connector probes cloud metadata addresses (169.254.169.254, ...) at login to report the platform;
    pointless, and a connection that leaves the machine, when the server is this machine."""
    if not off or os.environ.get(DISABLE_PLATFORM_DETECTION):
        yield
        return
    os.environ[DISABLE_PLATFORM_DETECTION] = "true"
    try:
        yield
    finally:
        os.environ.pop(DISABLE_PLATFORM_DETECTION, None)


@contextlib.contextmanager
def bounded_connections(sf: SnowflakeSettings, where: str) -> Iterator[None]:
    """For the block, every ``snowflake.connector.connect`` (dbt-snowflake's) gets ``sf``'s time limits."""
    import snowflake.connector

    original = snowflake.connector.connect

    def connect_within_limits(**kwargs: Any) -> Any:
        return _bounded(original, kwargs, sf, where)

    snowflake.connector.connect = connect_within_limits  # type: ignore[assignment]
    try:
        yield
    finally:
        snowflake.connector.connect = original


def reachability(kwargs: Mapping[str, Any], seconds: float) -> str | None:
    """What a plain TCP connection to the endpoint finds, in words, or None when it is unknown (named connection).

    "nothing listens there (connection refused)", "the host name is unknown", "no TCP answer in N s", or
    "it accepts connections but sent no answer in N s" (a silent server, a proxy or a firewall holding it).
    """
    target = endpoint(kwargs)
    if target is None:
        return None
    host, port = target
    try:
        with socket.create_connection((host, port), timeout=min(seconds, 5)):
            pass
    except socket.gaierror:
        return f"the host name {host} is unknown"
    except ConnectionRefusedError:
        return "nothing listens there (connection refused)"
    except TimeoutError:
        return f"no TCP answer from {host}:{port} in {min(seconds, 5):g} s"
    except OSError as exc:
        return f"{exc.strerror or exc}"
    return f"it accepts connections but sent no answer in {seconds:g} s"
