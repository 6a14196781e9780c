"""Pointing an unmodified discord.py at the stand-in, and running a client against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def patch_discord(api_url: str, gateway_url: str) -> Iterator[None]:
    """Send discord.py's REST calls to ``api_url`` and its gateway connection to ``gateway_url``.

    These two class attributes are the only places discord.py 2.7 reads the
    Discord hosts from (a plain ``Client`` never asks ``GET /gateway/bot``);
    both are restored on exit so no other test inherits them.
    """
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def run_client(client: ClientT, token: str, ready: Awaitable[None], *, timeout: float) -> AsyncIterator[ClientT]:
    """Run ``client.start(token)`` in a task until the block ends, then close it cleanly.

    Entering waits for ``ready`` and fails fast, with the client's own
    exception, if the client dies first (bad token, disallowed intents …).
    Leaving closes the client and awaits its task, so no task or aiohttp
    session outlives the test; a crash of the client task surfaces here unless
    the block itself already failed.
    """
    task = asyncio.create_task(client.start(token), name=f"discord client {client!r}")
    waiter = asyncio.ensure_future(ready)
    try:
        await _until_ready(task, waiter, timeout)
    except BaseException:
        await _stop(client, task, timeout, raise_errors=False)
        raise
    finally:
        await _discard(waiter)
    try:
        yield client
    except BaseException:
        await _stop(client, task, timeout, raise_errors=False)
        raise
    await _stop(client, task, timeout, raise_errors=True)


async def _until_ready(task: asyncio.Task[None], waiter: asyncio.Future[None], timeout: float) -> None:
    done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiter in done:
        waiter.result()
    elif task in done:
        task.result()  # the client's own error: LoginFailure, PrivilegedIntentsRequired …
        raise RuntimeError("the client stopped before it was ready")
    else:
        raise TimeoutError(f"the client was not ready within {timeout}s")


async def _discard(future: asyncio.Future[None]) -> None:
    """Cancel and reap a helper future so it can neither leak nor log "exception never retrieved"."""
    future.cancel()
    await asyncio.wait({future})
    if not future.cancelled():
        future.exception()


async def _stop(client: discord.Client, task: asyncio.Task[None], timeout: float, *, raise_errors: bool) -> None:
    """Close the client and reap its task; its exception is raised only if ``raise_errors``."""
    await client.close()
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        await _discard(task)
        if raise_errors:
            raise TimeoutError(f"the client did not stop within {timeout}s of close()")
        return
    error = None if task.cancelled() else task.exception()
    if error is not None and raise_errors:
        raise error
