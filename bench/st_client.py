"""A small Streamlit client that speaks the app's own websocket protocol, for load tests.

A browser tab costs a core to draw what the server sends; this client only decodes the protobuf
messages, so tens of sessions fit beside a server on two cores. It does what the frontend does:

* Handshake: a GET of the health route sets the ``_streamlit_xsrf`` cookie; the websocket to
  ``/_stcore/stream`` sends it back with a same-origin ``Origin`` and the token as the second entry
  of the subprotocol list (``["streamlit", token]``), as the frontend's ``WebsocketConnection`` does.
* A run is a ``BackMsg(rerun_script=ClientState(...))`` with the page's name or hash, the URL's
  query string, and the current value of every control on the page (``WidgetStates``).
* Controls are read from the run's ``Delta`` elements: their ``id``, their options and default,
  and the fragment (``Delta.fragment_id``) they were drawn in. Moving a control inside an
  ``st.fragment`` reruns only that fragment (``ClientState.fragment_id``), as in the browser.
* Large elements come once and later as a ``ref_hash``; the client keeps them, and says which it
  has in ``cached_message_hashes``, so the server sends what it would send a browser.
* ``AutoRerun`` (``st.fragment(run_every=...)``) is honoured between interactions.

Nothing a server sends is evaluated: messages are parsed by protobuf and read as data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.cookies
import random
import re
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

XSRF_COOKIE = "_streamlit_xsrf"
# A run ends with one of these; FINISHED_EARLY_FOR_RERUN means another run follows (st.rerun).
DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
}
# The element types this client can move, and how each one's value travels (WidgetState's oneof).
MOVABLE = {"slider", "radio", "selectbox", "checkbox"}
# Elements that show work in progress: a cached result skips them, so they are no part of the output.
TRANSIENT = {"progress", "spinner", "empty", "skeleton", "toast"}
# The timing line under a chart (ui/frame.py format_timing): left out of a run's fingerprint.
STOPWATCH = re.compile(r"computed in [0-9.]+ ms on [A-Z]+( · cached result)?")
# A metric that is a measured duration (the PCA page's "eigh route, best of 3: 12.3 ms"): a new
# measurement after the result left the cache, not a function of the controls.
MEASURED = re.compile(r"[0-9][0-9.,]* (ms|µs|s)")


def unmeasured(kind: str, text: str) -> str:
    """``text`` as the fingerprint sees it: stopwatch lines and measured durations left out."""
    if kind == "markdown":
        return STOPWATCH.sub("", text)
    return "" if kind == "metric" and MEASURED.fullmatch(text) else text


def comparable(element: Any) -> bytes:
    """An element as a rerun's fingerprint sees it: stopwatches, measured durations and the value of
    boxes this client never types in left out."""
    kind = element.WhichOneof("type")
    element = type(element).FromString(element.SerializeToString())
    proto = getattr(element, kind)
    if kind in ("markdown", "metric"):  # "computed in 0.27 ms on CPU" differs on every run
        proto.body = unmeasured(kind, proto.body)
    elif "set_value" in proto.DESCRIPTOR.fields_by_name:
        # A box this client never types in (a text area a preset fills): the server sends its value
        # only on the run that sets it, and the frontend keeps it after, so the message is no guide
        # to what is shown. What the page computed from it is in the rest of the output.
        for field in ("set_value", "value", "raw_values"):
            if field in proto.DESCRIPTOR.fields_by_name:
                proto.ClearField(field)
        element.ClearField("has_one_shot_effect")  # marks the run that set the value
    return element.SerializeToString(deterministic=True)


class ProtocolError(RuntimeError):
    """The server did something a browser would show as broken: ``kind`` is "disconnect" or "timeout"."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class Control:
    """One control as the last run drew it: enough to send its value and pick a new one."""

    id: str
    kind: str  # the Element field: slider, radio, selectbox, checkbox
    proto: Any  # the element's own message (Slider, Radio, ...)
    fragment_id: str  # "" outside any st.fragment
    value: Any  # what the client holds for it: a list for sliders, a label, a bool

    @property
    def key(self) -> str:
        """The URL parameter the control is bound to (its ``key=``), or its id when unbound."""
        return self.proto.query_param_key or self.id

    def state(self) -> WidgetState:
        """The control's value as the frontend sends it."""
        state = WidgetState(id=self.id)
        if self.kind == "slider" and self.proto.type == Slider.SELECT_SLIDER:
            state.string_array_value.data.extend(self.value)
        elif self.kind == "slider":
            state.double_array_value.data.extend(self.value)
        elif self.kind in ("radio", "selectbox"):
            state.string_value = self.value
        else:
            state.bool_value = self.value
        return state

    def url_value(self) -> str | None:
        """The value as the URL binding writes it, or None at the default (the parameter is dropped)."""
        if self.value == initial_value(self.kind, self.proto, default_only=True):
            return None
        if self.kind == "slider" and self.proto.type != Slider.SELECT_SLIDER:
            numbers = [_number_text(v, self.proto.data_type) for v in self.value]
            return numbers[0] if len(numbers) == 1 else ",".join(numbers)
        if self.kind == "slider":
            return self.value[0] if len(self.value) == 1 else ",".join(self.value)
        if self.kind == "checkbox":
            return "true" if self.value else "false"
        return self.value

    def choices(self) -> list[Any]:
        """The few values a load test moves this control between: its default and two more (the first
        options; a quarter and three quarters along a slider). Few, so that states recur and each
        rerun can be checked against an earlier one (``Outputs``)."""
        proto = self.proto
        default = initial_value(self.kind, proto, default_only=True)
        if self.kind == "checkbox":
            return [False, True]
        if self.kind in ("radio", "selectbox"):
            picks = [default, *proto.options[:3]]
        elif proto.type == Slider.SELECT_SLIDER:
            picks = [default, *([o] for o in proto.options[:: max(1, len(proto.options) // 3)])]
        else:
            steps = round((proto.max - proto.min) / proto.step)
            picks = [default, *([_on_grid(proto.min + round(steps * f) * proto.step, proto)] for f in (0.25, 0.75))]
        unique = []
        for pick in picks:
            if pick not in unique:
                unique.append(pick)
        return unique[:3]

    @property
    def movable(self) -> bool:
        """Whether a load test moves it: enabled, one value (not a range), more than one choice."""
        single = not isinstance(self.value, list) or len(self.value) == 1
        return not self.proto.disabled and single and len(self.choices()) > 1

    def other_value(self, rng: random.Random) -> Any:
        """One of ``choices`` other than the current value."""
        return rng.choice([c for c in self.choices() if c != self.value])


def _on_grid(value: float, proto: Slider) -> float:
    """A slider value as the frontend holds it: whole for INT sliders, without float noise otherwise."""
    return float(round(value)) if proto.data_type == Slider.INT else float(f"{value:.12g}")


def _number_text(value: float, data_type: int) -> str:
    return str(int(value)) if data_type == Slider.INT else f"{value:g}"


def initial_value(kind: str, proto: Any, *, default_only: bool = False) -> Any:
    """The value a control shows when drawn: the server's ``value`` if it set one, else its default."""
    use_set = proto.set_value and not default_only
    if kind == "slider" and proto.type == Slider.SELECT_SLIDER:
        if use_set:
            return list(proto.raw_value)
        return [proto.options[int(i)] for i in proto.default]
    if kind == "slider":
        return [_on_grid(v, proto) for v in (proto.value if use_set else proto.default)]
    if kind in ("radio", "selectbox"):
        if use_set and proto.HasField("raw_value"):
            return proto.raw_value
        return proto.options[proto.default] if proto.HasField("default") else None
    return proto.value if use_set else proto.default


@dataclass
class Run:
    """What one run (and the reruns it asked for) sent back."""

    started: float
    seconds: float = 0.0
    status: int | None = None
    bytes: int = 0  # delta bytes received, ref_hash references included
    elements: int = 0
    # The server's own stopwatch on each script (or fragment) run, without transport: Streamlit sends it
    # in a page_profile message when the server runs with --browser.gatherUsageStats=true. A run that asks
    # for another (st.rerun: work drawn as it goes, ui/slices.py) is followed by it before the chain ends.
    script_runs_ms: list[float] = field(default_factory=list)
    runs: int = 1  # script runs in the chain
    exceptions: list[str] = field(default_factory=list)
    controls_drawn: set[str] = field(default_factory=set)
    query_strings: list[str] = field(default_factory=list)  # page_info_changed, in order
    texts: list[str] = field(default_factory=list)  # markdown and metric text drawn, in order
    fragments: set[str] = field(default_factory=set)  # fragment ids whose elements came ("" for the page)
    _output: Any = field(default_factory=hashlib.sha256)

    def another_run_follows(self) -> None:
        """What a run drew stays on screen only until the run it asked for draws again (work drawn as it
        goes, ui/slices.py): the chain's output is its last run's, as a cached result's is its one run's."""
        self.runs += 1
        self._output = hashlib.sha256()
        self.texts.clear()
        self.controls_drawn.clear()

    @property
    def script_ms(self) -> float | None:
        """The whole chain's script time, or None if no page_profile came."""
        return sum(self.script_runs_ms) if self.script_runs_ms else None

    @property
    def fingerprint(self) -> str:
        """A digest of everything the run drew except the controls and the stopwatch lines: the same
        controls give the same fingerprint, other values a different one (see ``Outputs``)."""
        return self._output.hexdigest()

    def draw(self, element: Any) -> None:
        self._output.update(comparable(element))


class Session:
    """One browser tab's worth of protocol: open a page, move its controls, close.

    Usage::

        async with Session(base_url) as session:
            run = await session.open_page("vectors")
            control = session.movable()[0]
            run = await session.move(control, control.other_value(rng))
    """

    def __init__(self, base_url: str, *, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.controls: dict[str, Control] = {}
        self.query_string = ""
        self.page_name = ""
        self.page_script_hash = ""
        self._cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message, as the frontend's cache
        self._auto_reruns: dict[str, tuple[float, float]] = {}  # fragment id -> (interval s, next due)
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._run: Run | None = None
        self._finished = asyncio.Event()
        self._closed_reason: str | None = None
        self._lock = asyncio.Lock()  # one run at a time, as one tab

    async def __aenter__(self) -> Session:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """The handshake: fetch the XSRF cookie, then open the websocket with it."""
        token = await asyncio.to_thread(self._xsrf_cookie)
        netloc = urlsplit(self.base_url).netloc
        headers = {"Origin": self.base_url}
        subprotocols = ["streamlit"]
        if token:
            headers["Cookie"] = f"{XSRF_COOKIE}={token}"
            subprotocols.append(token)
        self._socket = await connect(
            f"ws://{netloc}/_stcore/stream",
            subprotocols=subprotocols,
            additional_headers=headers,
            max_size=None,  # a page with many charts sends messages of megabytes, as to a browser
            open_timeout=self.timeout_s,
        )
        self._reader = asyncio.create_task(self._read_forever())

    def _xsrf_cookie(self) -> str | None:
        with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=self.timeout_s) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie(header)
                if XSRF_COOKIE in cookie:
                    return cookie[XSRF_COOKIE].value
        return None

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    @property
    def closed_reason(self) -> str | None:
        """Why the websocket closed, if it did."""
        return self._closed_reason

    # -- sending ------------------------------------------------------------------------------

    async def open_page(self, page_name: str, query_string: str = "") -> Run:
        """Open a page by its URL path, as typing its address does (no controls known yet)."""
        self.page_name, self.query_string, self.page_script_hash = page_name, query_string, ""
        self.controls.clear()
        self._auto_reruns.clear()
        return await self._rerun()

    def movable(self) -> list[Control]:
        """The controls on the page this client can move, in the order they were drawn."""
        return [c for c in self.controls.values() if c.movable]

    async def move(self, control: Control, value: Any) -> Run:
        """Set a control as a learner would and wait for the rerun; the URL is updated as the frontend does."""
        control.value = value
        params = [(k, v) for k, v in parse_qsl(self.query_string, keep_blank_values=True) if k != control.key]
        url_value = control.url_value()
        if url_value is not None and control.proto.query_param_key:
            params.append((control.key, url_value))
        self.query_string = urlencode(params)
        return await self._rerun(fragment_id=control.fragment_id)

    async def auto_reruns_due(self) -> list[Run]:
        """Run the fragments whose ``run_every`` timer has come due (a browser's interval timer)."""
        runs = []
        now = time.monotonic()
        for fragment_id, (interval, due) in list(self._auto_reruns.items()):
            if due <= now:
                self._auto_reruns[fragment_id] = (interval, now + interval)
                runs.append(await self._rerun(fragment_id=fragment_id, auto=True))
        return runs

    async def settle(self, limit_s: float = 30.0) -> list[Run]:
        """Let the page finish loading: run its ``run_every`` fragments until none is pending
        (``ui.loading`` reruns a page once it has drawn), for at most ``limit_s``."""
        runs: list[Run] = []
        deadline = time.monotonic() + limit_s
        while self._auto_reruns and time.monotonic() < deadline:
            due = min(next_due for _, next_due in self._auto_reruns.values())
            await asyncio.sleep(max(0.0, min(due, deadline) - time.monotonic()))
            runs += await self.auto_reruns_due()
        return runs

    async def _rerun(self, *, fragment_id: str = "", auto: bool = False) -> Run:
        async with self._lock:
            message = BackMsg()
            state = message.rerun_script
            state.query_string = self.query_string
            state.page_name = self.page_name
            state.page_script_hash = self.page_script_hash
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
            state.cached_message_hashes.extend(self._cache)
            state.widget_states.widgets.extend(c.state() for c in self.controls.values() if c.value is not None)
            self._run = run = Run(started=time.monotonic())
            self._finished.clear()
            await self._send(message)
            try:
                await asyncio.wait_for(self._finished.wait(), self.timeout_s)
            except TimeoutError:
                raise ProtocolError("timeout", f"no script_finished within {self.timeout_s:.0f} s") from None
            if self._closed_reason:
                raise ProtocolError("disconnect", f"websocket closed: {self._closed_reason}")
            run.seconds = time.monotonic() - run.started
            self._forget_undrawn(run, fragment_id)
            return run

    def _forget_undrawn(self, run: Run, fragment_id: str) -> None:
        """Drop the controls the run's region no longer draws (a frontend unmounts them too)."""
        for control in list(self.controls.values()):
            in_region = not fragment_id or control.fragment_id == fragment_id
            if in_region and control.id not in run.controls_drawn:
                del self.controls[control.id]

    async def _send(self, message: BackMsg) -> None:
        try:
            await self._socket.send(message.SerializeToString())
        except ConnectionClosed as err:
            raise ProtocolError("disconnect", f"websocket closed: {err}") from err

    # -- receiving ----------------------------------------------------------------------------

    async def _read_forever(self) -> None:
        try:
            async for data in self._socket:
                message = ForwardMsg()
                message.ParseFromString(data)
                self._receive(message, len(data))
        except ConnectionClosed as err:
            self._closed_reason = str(err)
        except ProtocolError as err:  # a message this client cannot follow: give up the tab
            self._closed_reason = str(err)
            await self._socket.close()
        else:
            self._closed_reason = "closed by the server"
        self._finished.set()  # wake a waiting run: it reports the close

    def _receive(self, message: ForwardMsg, size: int) -> None:
        kind = message.WhichOneof("type")
        if kind == "ref_hash":  # an element sent before, by its hash
            cached = self._cache.get(message.ref_hash)
            if cached is None:
                raise ProtocolError("disconnect", f"ref_hash {message.ref_hash} for a message never received")
            cached = ForwardMsg.FromString(cached.SerializeToString())
            cached.metadata.CopyFrom(message.metadata)
            message, kind = cached, "delta"
        elif message.metadata.cacheable:
            self._cache[message.hash] = message
        run = self._run
        if kind == "new_session" and not message.metadata.run.fragment_ids:
            # A full run (sent by this client or by st.rerun on the server) makes new fragments and
            # registers their run_every timers again; the old fragment ids are gone, as in the frontend.
            self._auto_reruns.clear()
        elif kind == "navigation":  # st.navigation names the page that ran (new_session's hash is app.py's)
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
            if run:
                run.query_strings.append(self.query_string)
        elif kind == "auto_rerun":
            interval = message.auto_rerun.interval
            self._auto_reruns[message.auto_rerun.fragment_id] = (interval, time.monotonic() + interval)
        elif kind == "stop_auto_rerun":
            self._auto_reruns.pop(message.stop_auto_rerun.fragment_id, None)
        elif kind == "delta" and run is not None:
            run.bytes += size
            self._receive_delta(message, run)
        elif kind == "page_profile" and run is not None:
            run.script_runs_ms.append(message.page_profile.exec_time / 1000)  # µs
        elif kind == "script_finished" and run is not None:
            run.status = message.script_finished
            if message.script_finished in DONE:
                self._finished.set()
            elif message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.another_run_follows()

    def _receive_delta(self, message: ForwardMsg, run: Run) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        run.elements += 1
        run.fragments.add(delta.fragment_id)
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind not in MOVABLE and kind not in TRANSIENT:
            run.draw(element)
        if kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "markdown":
            run.texts.append(unmeasured(kind, element.markdown.body))
        elif kind == "metric":
            run.texts.append(f"{element.metric.label}={unmeasured(kind, element.metric.body)}")
        elif kind in MOVABLE:
            proto = getattr(element, kind)
            run.controls_drawn.add(proto.id)
            known = self.controls.get(proto.id)
            # What the client holds wins, unless the server set the value itself (set_value).
            value = known.value if known and not proto.set_value else initial_value(kind, proto)
            self.controls[proto.id] = Control(proto.id, kind, proto, delta.fragment_id, value)


def region(control: Control, controls: dict[str, Control]) -> tuple[str, ...]:
    """What a move of ``control`` reruns, named so that it is the same in every session and run:
    () for the whole page, else the keys of the controls in its fragment (fragment ids are new on
    every full run)."""
    if not control.fragment_id:
        return ()
    return tuple(sorted(c.key for c in controls.values() if c.fragment_id == control.fragment_id))


class Outputs:
    """ "Really reran with the new value": the output every state of a page's controls drew, shared by
    all sessions, against which each rerun is checked.

    The server does not echo a moved control's value (the frontend writes the URL itself), so the
    check is on what the rerun drew. A page draws the same output for the same controls (timings
    and progress bars aside, see ``Run.fingerprint``): the first rerun that reaches a state records
    its fingerprint, and every later one, in any session, must draw the same. A rerun that used a
    stale or wrong value draws another state's output and fails; so does one that failed to draw.
    """

    def __init__(self) -> None:
        self.references: dict[tuple, str] = {}
        self._texts: dict[tuple, list[str]] = {}
        self.difference = ""  # where the last failed check differed
        self.recorded = self.verified = 0

    @staticmethod
    def state(page: str, scope: tuple[str, ...], controls: dict[str, Control]) -> tuple:
        return (page, scope, tuple(sorted((c.key, repr(c.value)) for c in controls.values())))

    def check(self, state: tuple, run: Run) -> bool:
        """True if ``run`` drew what this state drew before (or is the first to reach it)."""
        if state not in self.references:
            self.references[state] = run.fingerprint
            self._texts[state] = run.texts
            self.recorded += 1
            return True
        same = self.references[state] == run.fingerprint
        self.verified += same
        if not same:  # say where, for the report: the first text that differs, if any does
            pairs = zip([*self._texts[state], ""], [*run.texts, ""], strict=False)
            before, now = next(((a, b) for a, b in pairs if a != b), ("(same text)", "(a chart differs)"))
            self.difference = f"{before[:60]!r} then, now {now[:60]!r}"
        return same
