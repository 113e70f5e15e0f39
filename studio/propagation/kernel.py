"""The compiled kernel: the reference engine's state machine, in numba, for Monte Carlo and for
big single timelines.

It replays exactly the reference engine (studio.propagation.reference) on the same CompiledScenario
and Draws: same queue entries pushed in the same order (so ties resolve the same way), same state
changes, same floating-point operations, same event numbers. Two modes, one compiled function:

* summary mode (``kernel_summary``, Monte Carlo): only the key times and per-system hits;
* timeline mode (``kernel_events``): also the typed event log in preallocated arrays (minute,
  kind code, node, two causes, and an ``aux`` number the detail text is rebuilt from), i.e. the
  reference's RunEvents row for row. One report is left to the reference engine: a run that holds
  a restore deadlock (its causes are a list of any length) is detected and handed back to it.

tests/propagation/test_kernel.py checks identical summaries and test_kernel_timeline.py identical
timelines (library scenarios, synthetic hospitals, random graphs, every hand-written semantics
test) for the same seeds.

numba is optional: ``AVAILABLE`` is False when it cannot be imported and callers fall back to the
reference engine (studio.propagation.engines). The entry point is compiled with ``cache=True``: the
first compilation on a machine takes tens of seconds, later processes load it from numba's cache
(a fraction of a second); see engines.kernel_ready / warm_up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.propagation.compiled import GATE_ALL, GATE_ANY, CompiledScenario
from studio.propagation.draws import DRAW_FIELDS, Draws, draw_stacked
from studio.propagation.summary import BLOCK_FIELDS, BlockSummary, MetricLayout, RunSummary

try:
    import numba

    AVAILABLE = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None
    AVAILABLE = False


def _jit(function):
    """Helpers are compiled without their own cache so that LLVM can inline them into the entry
    point; the entry point's cache then holds the whole kernel (a cached callee is an opaque call)."""
    return numba.njit(nogil=True)(function) if AVAILABLE else function


def _jit_inline(function):
    """Small helpers called from everywhere: inlined by numba itself (no call, no reference counts)."""
    return numba.njit(nogil=True, inline="always")(function) if AVAILABLE else function


def _jit_entry(function):
    return numba.njit(cache=True, nogil=True)(function) if AVAILABLE else function


def _borrowed_value(context, builder, typ, value):
    """``value`` (an array, or a tuple of arrays) with every array's memory owner set to NULL."""
    if isinstance(typ, numba.types.Array):
        array = context.make_array(typ)(context, builder, value=value)
        array.meminfo = context.get_constant_null(numba.types.MemInfoPointer(typ.dtype))
        array.parent = context.get_constant_null(numba.types.pyobject)
        return array._getvalue()
    for index, item in enumerate(typ):
        borrowed = _borrowed_value(context, builder, item, builder.extract_value(value, index))
        value = builder.insert_value(value, borrowed, index)
    return value


def _define_borrow():
    """``_borrow(arrays)``: the same arrays (or tuple of arrays) without their owner.

    Why: numba counts references to an array every time it is passed to a helper or bound to a
    variable, with an atomic operation on its owner; the kernel's helpers take some forty arrays
    and run thousands of times per run, and those counts were over half of a run's time. An array
    without owner (like one from numba.carray) is not counted. The kernel's entry point (_runs)
    borrows its arrays and its workspace's once, and returns the workspace's owners: the owning
    references live until then."""

    @numba.extending.intrinsic
    def _borrow(typingctx, value):
        def arrays_only(typ):
            if isinstance(typ, numba.types.Array):
                return True
            return isinstance(typ, numba.types.BaseTuple) and all(arrays_only(item) for item in typ)

        if not arrays_only(value):
            raise numba.core.errors.TypingError(f"_borrow takes arrays or tuples of arrays, not {value}")

        def codegen(context, builder, signature, args):
            return _borrowed_value(context, builder, signature.args[0], args[0])

        return value(value), codegen

    return _borrow


if AVAILABLE:
    import numba.core.errors
    import numba.extending

    _borrow = _define_borrow()
else:  # pragma: no cover - the pure-Python fallback has no references to count

    def _borrow(value):
        return value


# Queue entry codes: the reference engine's (reference._INITIAL ...).
INITIAL, ARRIVE, FIRE, EDR_ALERT, INPUT_LOST, DEGRADE, EXPIRE, RESTORED, DETONATE, RETRY = range(10)
UP, DEGRADED, DOWN = 0, 1, 2
# Trigger kinds (`trigger.on`) as codes.
# Trigger kinds (`trigger.on`) as codes. A fixed internal table, not read from the schema at
# import: numba bakes these globals into its cached machine code, which would not notice a change
# of the schema's order. tests/propagation/test_kernel.py checks it covers the schema's enum.
ON_KINDS = (
    "initial_access",
    "compromised",
    "credential_obtained",
    "detected",
    "encrypted",
    "down",
    "exfiltration",
)
ON_INITIAL, ON_COMPROMISED, ON_CREDENTIAL, ON_DETECTED, ON_ENCRYPTED, ON_DOWN, ON_EXFILTRATION = range(7)
# Slot kinds and action codes.
SLOT_DETONATION, SLOT_EXFILTRATION, SLOT_DETECTION, SLOT_ACTION = range(4)
ACT_ISOLATE, ACT_SHUTDOWN, ACT_CUT, ACT_RESET, ACT_DEGRADED, ACT_RESTORE = range(6)
_ACTION_CODES = {
    "isolate_node": ACT_ISOLATE,
    "isolate_zone": ACT_ISOLATE,
    "shutdown": ACT_SHUTDOWN,
    "cut_internet": ACT_CUT,
    "reset_credentials": ACT_RESET,
    "activate_degraded_mode": ACT_DEGRADED,
    "restore": ACT_RESTORE,
}

# Rows of the per-node integer model matrix.
(
    M_CRED,
    M_NOT_ENC,
    M_BACKUP_KIND,
    M_INTERNET,
    M_DOMAIN,
    M_EDR,
    M_BOOTSTRAP,
    M_BACKUP,
    M_GATE,
    M_K,
    M_STOPS,
) = range(11)
# Rows of the per-node integer state matrix.
(
    S_COMP,
    S_ENC,
    S_ISO,
    S_SHUT,
    S_RESTORING,
    S_EPOCH,
    S_FUNC,
    S_FAILED,
    S_OUTAGE,
    S_EXPIRED,
    S_PREARMED,
    S_WAITING,
    S_HIT_COMP,
    S_HIT_ENC,
    S_HIT_DOWN,
    S_COMP_EVENT,
    S_ENC_EVENT,
    S_OWN_EVENT,
    S_GUARD,
    S_HELD,
    S_BLOCKED,
) = range(21)
S_ROWS = S_BLOCKED + 1
# Rows of the per-node float record matrix (summary times).
R_OBTAINED, R_LOSS, R_DEGRADED, R_BACK = range(4)
# Cells of the run-wide integer and float registers.
G_OVER, G_DETECTED, G_CUT, G_SEQ, G_SIZE, G_OVERFLOW, G_EVENTS, G_LOG, G_EXTRA, G_FALLBACK = range(10)
# G_OVERFLOW bits: which preallocated array was too small (the caller retries with a larger one).
OVER_HEAP, OVER_LOG, OVER_EXTRA = 1, 2, 4

# Event log (timeline mode). Kind codes; both restore_blocked codes are rendered "restore_blocked".
EVENT_KINDS = (
    "initial_access",
    "compromised",
    "credential_obtained",
    "encrypted",
    "detected",
    "up",
    "down",
    "degraded",
    "degraded_mode_expired",
    "isolated",
    "shutdown",
    "internet_cut",
    "action",
    "credentials_reset",
    "restore_blocked",
    "restore_blocked",
    "restore_started",
    "restored",
    "exfiltration",
    "encrypted",
)
(
    EV_INITIAL,
    EV_COMPROMISED,
    EV_CREDENTIAL,
    EV_ENCRYPTED,
    EV_DETECTED,
    EV_UP,
    EV_DOWN,
    EV_DEGRADED,
    EV_EXPIRED,
    EV_ISOLATED,
    EV_SHUTDOWN,
    EV_INTERNET_CUT,
    EV_ACTION,
    EV_RESET,
    EV_BLOCKED_BACKUP,
    EV_BLOCKED_WAIT,
    EV_RESTORE_STARTED,
    EV_RESTORED,
    EV_EXFILTRATION,
    EV_STOPPED,
) = range(20)
# Columns of the integer event log: kind, node, aux (what the detail is made of), two causes.
# The log is one float array (integers below 2**53 are exact in it, and one array is cheaper to
# pass around than three): per event L_WIDTH cells (minute, kind, node, aux, two causes) from the
# start, the "waits for" lists (count, then nodes) from the end, growing down.
L_TIME, L_KIND, L_NODE, L_AUX, L_CAUSE1, L_CAUSE2 = range(6)
L_WIDTH = 6
F_DETECTION, F_ENCRYPTION = range(2)


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(len(lists) + 1, dtype=np.int64)
    pointer[1:] = np.cumsum([len(items) for items in lists])
    flat = np.fromiter((item for items in lists for item in items), dtype=np.int64, count=int(pointer[-1]))
    return pointer, flat


def _arrays(model: CompiledScenario, playbook: str | None) -> tuple:
    """The kernel's view of (model, playbook), built once and kept on the model."""
    cache = model.__dict__.setdefault("_kernel_arrays", {})
    if playbook not in cache:
        cache[playbook] = _build_arrays(model, playbook)
    return cache[playbook]


def _also_csr(model: CompiledScenario) -> tuple[np.ndarray, np.ndarray]:
    """Per reach arc, the credentials it needs besides ``requires`` (CSR; most arcs have none)."""
    counts = np.zeros(len(model.reach_src), dtype=np.int64)
    for arc, others in model.reach_also.items():
        counts[arc] = len(others)
    pointer = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=pointer[1:])
    flat = [node for arc in sorted(model.reach_also) for node in model.reach_also[arc]]
    return pointer, np.array(flat, dtype=np.int64)


def _build_arrays(model: CompiledScenario, playbook: str | None) -> tuple:
    n = model.n
    matrix = np.zeros((11, n), dtype=np.int64)
    kinds = np.asarray(model.kind, dtype=str)
    matrix[M_CRED] = kinds == "credential"
    matrix[M_NOT_ENC] = (kinds == "credential") | (kinds == "clinical_service")
    matrix[M_BACKUP_KIND] = kinds == "backup"
    matrix[M_INTERNET] = kinds == "internet"
    matrix[M_DOMAIN] = model.domain_joined
    matrix[M_EDR] = model.edr
    matrix[M_BOOTSTRAP] = model.bootstrap
    matrix[M_BACKUP] = model.backup
    matrix[M_GATE] = model.gate
    matrix[M_K] = model.gate_k
    matrix[M_STOPS] = np.asarray(model.stops, dtype=bool).reshape(n) & (matrix[M_NOT_ENC] == 0)
    also = _also_csr(model)
    node_floats = np.array([model.degraded_activation, model.degraded_max], dtype=float).reshape(2, n)
    reach_out, gated = model.reach_out_csr, model.gated_by_csr
    dep_out, dep_in = model.dep_out_csr, model.dep_in_csr
    slots = model.trigger_slots(playbook)
    what = {"detonation": SLOT_DETONATION, "exfiltration": SLOT_EXFILTRATION, "detection": SLOT_DETECTION}
    slot_what = np.array([what.get(kind, SLOT_ACTION) for _, (kind, _) in slots], dtype=np.int64)
    slot_index = np.array([index for _, (_, index) in slots], dtype=np.int64)
    slot_at = np.array([math.nan if t.at is None else t.at for t, _ in slots], dtype=float)
    slot_on = np.array([-1 if t.on is None else ON_KINDS.index(t.on) for t, _ in slots], dtype=np.int64)
    slot_node = np.array([t.node for t, _ in slots], dtype=np.int64)
    actions = model.playbooks.get(playbook, []) if playbook else []
    action_code = np.array([_ACTION_CODES[a.action] for a in actions], dtype=np.int64)
    action_nodes = _csr([list(a.nodes) for a in actions])
    exfil_node = np.array([node for _, node, _, _ in model.exfiltrations], dtype=np.int64)
    initial_node = np.array([node for node, _ in model.initial_access], dtype=np.int64)
    initial_at = np.array([at for _, at in model.initial_access], dtype=float)
    scope = model.scope
    attack = np.array(
        [
            model.dwell,
            model.start_minute_of_day,
            model.off_hours[0] if model.off_hours else math.nan,
            model.off_hours[1] if model.off_hours else math.nan,
        ],
        dtype=float,
    )
    flags = np.array(
        [
            "compromised" in scope,
            "domain_joined" in scope,
            "backups" in scope,
            model.domain_credential,
            model.off_hours is not None,
        ],
        dtype=np.int64,
    )
    dep = np.array([model.dep_src, model.dep_dst], dtype=np.int64).reshape(2, -1)
    return (
        matrix,
        node_floats,
        model.reach_src,
        model.reach_dst,
        model.reach_requires,
        reach_out[0],
        reach_out[1],
        gated[0],
        gated[1],
        dep,
        np.asarray(model.dep_grace, dtype=float),
        dep_out[0],
        dep_out[1],
        dep_in[0],
        dep_in[1],
        slot_what,
        slot_index,
        slot_at,
        slot_on,
        slot_node,
        action_code,
        action_nodes[0],
        action_nodes[1],
        exfil_node,
        initial_node,
        initial_at,
        attack,
        flags,
        also[0],
        also[1],
    )


# Positions in the tuple above (numba indexes heterogeneous tuples with constants).
(
    K_M,
    K_NF,
    K_RSRC,
    K_RDST,
    K_RREQ,
    K_ROUT_P,
    K_ROUT,
    K_GATED_P,
    K_GATED,
    K_DEP,
    K_GRACE,
    K_DOUT_P,
    K_DOUT,
    K_DIN_P,
    K_DIN,
    K_SWHAT,
    K_SINDEX,
    K_SAT,
    K_SON,
    K_SNODE,
    K_ACODE,
    K_ANODES_P,
    K_ANODES,
    K_EXFIL,
    K_INODE,
    K_IAT,
    K_ATTACK,
    K_FLAGS,
    K_ALSO_P,
    K_ALSO,
) = range(30)


# The event queue ``queue`` = (times, sequence numbers, payload pool, held times, held links,
# positions): a 4-ary min-heap of (time, sequence number) keys, the payload of each entry in a pool
# indexed by its sequence number (a sift moves two numbers, not seven), and the heap position of
# each entry (for _push_arrival's decrease-key). Keys are unique, so entries come out in the
# reference's heapq order whatever the shape of the heap.
HEAP_ARITY = 4


@_jit_inline
def _earlier(time_a, seq_a, time_b, seq_b):
    """Whether key (time_a, seq_a) comes out of the heap before key (time_b, seq_b)."""
    return time_a < time_b or (time_a == time_b and seq_a < seq_b)


@_jit_inline
def _set_key(queue, position, time, seq):
    queue[0][position] = time
    queue[1][position] = seq
    queue[5][seq] = position


@_jit_inline
def _sift_down(queue, position, size):
    times, seqs = queue[0], queue[1]
    time, seq = times[position], seqs[position]
    while True:
        first = HEAP_ARITY * position + 1
        if first >= size:
            break
        child = first
        for other in range(first + 1, min(first + HEAP_ARITY, size)):
            if _earlier(times[other], seqs[other], times[child], seqs[child]):
                child = other
        if _earlier(time, seq, times[child], seqs[child]):
            break
        _set_key(queue, position, times[child], seqs[child])
        position = child
    _set_key(queue, position, time, seq)


@_jit_inline
def _sift_up(queue, position, time, seq):
    """Put key (time, seq) at ``position`` or above (it is no later than the key it replaces)."""
    times, seqs = queue[0], queue[1]
    while position > 0:
        parent = (position - 1) // HEAP_ARITY
        if _earlier(times[parent], seqs[parent], time, seq):
            break
        _set_key(queue, position, times[parent], seqs[parent])
        position = parent
    _set_key(queue, position, time, seq)


@_jit_inline
def _new_entry(queue, g, code, a, b, c, d):
    """Number a new queue entry and store its payload; -1 (and the overflow flag) when the pool is
    full."""
    pool = queue[2]
    seq = g[G_SEQ]
    if 5 * seq + 5 > len(pool):
        g[G_OVERFLOW] |= OVER_HEAP  # the caller retries with a larger heap and pool
        return -1
    g[G_SEQ] += 1
    base = 5 * seq
    pool[base] = code
    pool[base + 1] = a
    pool[base + 2] = b
    pool[base + 3] = c
    pool[base + 4] = d
    return seq


@_jit_inline
def _push_key(queue, g, time, seq):
    """Put the key (time, seq) of a numbered entry into the heap."""
    size = g[G_SIZE]
    if size == len(queue[0]):
        g[G_OVERFLOW] |= OVER_HEAP
        return
    g[G_SIZE] = size + 1
    _sift_up(queue, size, time, seq)


@_jit_inline
def _push(queue, g, time, code, a, b, c, d):
    """Push an entry, ordered by (time, sequence number) like the reference's heapq: keys are
    unique, so both pop the same order."""
    seq = _new_entry(queue, g, code, a, b, c, d)
    if seq >= 0:
        _push_key(queue, g, time, seq)


# Arrivals held back. An arrival on a node is void once the node is compromised (it stays so until
# the node's epoch changes, which voids the arrival too), and most nodes are reached by several
# arrivals: only the earliest needs to be in the heap (the node's guard). Every arrival is numbered
# when it starts (its key is the one the reference gives it); one later than the guard is held on
# the node's list, one earlier takes the guard's place in the heap (the guard joins the list). When
# the guard pops without compromising the node, the held arrivals go into the heap with their own
# keys, all later than the guard's: the heap pops the same entries in the same order, minus
# arrivals that could only have been dropped (half of them on a hospital).


@_jit_inline
def _hold(queue, s, dst, seq):
    queue[4][seq] = s[S_HELD, dst]
    s[S_HELD, dst] = seq


@_jit_inline
def _push_arrival(queue, s, g, dst, time, a, b, c, d):
    held_time = queue[3]
    guard = s[S_GUARD, dst]
    seq = _new_entry(queue, g, ARRIVE, a, b, c, d)
    if seq < 0:
        return
    held_time[seq] = time
    if guard < 0:
        _push_key(queue, g, time, seq)
        s[S_GUARD, dst] = seq
    elif time >= held_time[guard]:  # then its key is later too: its number is larger
        _hold(queue, s, dst, seq)
    else:
        _sift_up(queue, queue[5][guard], time, seq)
        _hold(queue, s, dst, guard)
        s[S_GUARD, dst] = seq


@_jit_inline
def _unguard(s, dst, seq):
    """An arrival on ``dst`` (``seq``) popped: if it guarded the node's held arrivals, the node has
    no guard any more; returns the held list (-1 if none) for _release if the arrival fails."""
    if s[S_GUARD, dst] != seq:
        return -1
    s[S_GUARD, dst] = -1
    held = s[S_HELD, dst]
    s[S_HELD, dst] = -1
    return held


@_jit_inline
def _release(queue, g, held):
    """Put the arrivals of a held list into the heap with their own keys."""
    held_time, held_next = queue[3], queue[4]
    while held >= 0:
        _push_key(queue, g, held_time[held], held)
        held = held_next[held]


@_jit_inline
def _pop(queue, g, out):
    """Pop the smallest entry into ``out`` (code, a, b, c, d, sequence number) and return its
    time."""
    times, seqs, pool = queue[0], queue[1], queue[2]
    top_time = times[0]
    out[5] = seqs[0]
    base = 5 * seqs[0]
    for column in range(5):
        out[column] = pool[base + column]
    size = g[G_SIZE] - 1
    g[G_SIZE] = size
    if size > 0:
        times[0] = times[size]
        seqs[0] = seqs[size]
        _sift_down(queue, 0, size)
    return top_time


@_jit
def _drop_attack_entries(queue, g):
    """Once the attack is over, its pending movements and initial accesses can only be dropped when
    popped: remove them now (often a fifth of a run's entries) and rebuild the heap."""
    times, seqs, pool = queue[0], queue[1], queue[2]
    kept = 0
    for position in range(g[G_SIZE]):
        code = pool[5 * seqs[position]]
        if code != ARRIVE and code != INITIAL:
            _set_key(queue, kept, times[position], seqs[position])
            kept += 1
    g[G_SIZE] = kept
    for position in range((kept - 2) // HEAP_ARITY, -1, -1):
        _sift_down(queue, position, kept)


@_jit_inline
def _emit(log, g, time, kind, node, aux, cause1, cause2):
    """The reference's emit(): number the event and, in timeline mode, log it.

    ``log``: see L_WIDTH; empty outside timeline mode. Causes are
    normalised like the reference's: negatives dropped, duplicates merged, sorted. Returns the
    event's number (counted in both modes, so causes line up)."""
    number = g[G_EVENTS]
    g[G_EVENTS] = number + 1
    if g[G_LOG] == 0:
        return number
    base = L_WIDTH * number
    if base + L_WIDTH > g[G_EXTRA]:
        g[G_OVERFLOW] |= OVER_LOG
        return number
    if cause1 < 0:
        cause1, cause2 = cause2, -1
    elif cause2 >= 0:
        if cause2 == cause1:
            cause2 = -1
        elif cause2 < cause1:
            cause1, cause2 = cause2, cause1
    log[base + L_TIME] = time
    log[base + L_KIND] = kind
    log[base + L_NODE] = node
    log[base + L_AUX] = aux
    log[base + L_CAUSE1] = cause1
    log[base + L_CAUSE2] = cause2
    return number


@_jit_inline
def _fire_watchers(slot_on, slot_node, queue, g, fired, delays, on, node, time):
    """The reference's emit(): fire the not-yet-fired slots waiting for (on, node), then (on, any),
    caused by the event just emitted.

    ``fired`` holds one flag per slot followed by, per trigger kind, how many slots still wait for
    it: most events concern no waiting slot and return at once."""
    slots = len(delays)
    if fired[slots + on] == 0:
        return
    if node >= 0:
        for slot in range(slots):
            if slot_on[slot] == on and slot_node[slot] == node and fired[slot] == 0:
                fired[slot] = 1
                fired[slots + on] -= 1
                _push(queue, g, time + delays[slot], FIRE, slot, g[G_EVENTS] - 1, 0, 0)
    for slot in range(slots):
        if slot_on[slot] == on and slot_node[slot] == -1 and fired[slot] == 0:
            fired[slot] = 1
            fired[slots + on] -= 1
            _push(queue, g, time + delays[slot], FIRE, slot, g[G_EVENTS] - 1, 0, 0)


@_jit_inline
def _blocked(s, node):
    # S_BLOCKED counts S_ISO, S_SHUT and S_RESTORING: one read where the attack checks a target
    return s[S_BLOCKED, node] != 0


@_jit_inline
def _own_fault(s, node):
    return s[S_ENC, node] != 0 or _blocked(s, node)


@_jit_inline
def _gate_passes(m, in_p, node, working):
    inputs = in_p[node + 1] - in_p[node]
    gate = m[M_GATE, node]
    if gate == GATE_ALL:
        return working == inputs
    if gate == GATE_ANY:
        return inputs == 0 or working > 0
    return working >= m[M_K, node]


@_jit_inline
def _start_move(rsrc, rdst, rreq, also_p, also, s, queue, g, reach_delay, arc, time):
    """The reference's start_move. A link that needs several credentials starts only when all are
    held; its entry carries, instead of the credential's epoch, the number of events so far: it lands
    only if every credential is still held by the compromise seen then (see _also_void)."""
    dst = rdst[arc]
    if s[S_COMP, dst] != 0 or _blocked(s, dst):
        return
    # read after the target's state: the run's delays are fresh memory, the state is in cache
    delay = reach_delay[arc]
    if delay == np.inf:
        return
    req = rreq[arc]
    src = rsrc[arc]
    if also_p[arc + 1] > also_p[arc]:
        if s[S_COMP, req] == 0:
            return
        for position in range(also_p[arc], also_p[arc + 1]):
            if s[S_COMP, also[position]] == 0:
                return
        _push_arrival(queue, s, g, dst, time + delay, arc, s[S_EPOCH, src], s[S_EPOCH, dst], g[G_EVENTS])
        return
    _push_arrival(
        queue,
        s,
        g,
        dst,
        time + delay,
        arc,
        s[S_EPOCH, src],
        s[S_EPOCH, dst],
        s[S_EPOCH, req] if req >= 0 else 0,
    )


@_jit_inline
def _also_void(rreq, also_p, also, s, arc, started):
    """Whether a movement on a link needing several credentials, started when ``started`` events
    had been emitted, no longer holds: one of its credentials was reset since (and perhaps obtained
    again: its compromise event is then newer than the start)."""
    req = rreq[arc]
    if s[S_COMP, req] == 0 or s[S_COMP_EVENT, req] >= started:
        return True
    for position in range(also_p[arc], also_p[arc + 1]):
        credential = also[position]
        if s[S_COMP, credential] == 0 or s[S_COMP_EVENT, credential] >= started:
            return True
    return False


@_jit
def _emit_long_causes(log, g, event, rsrc, rreq, also_p, also, s, arc):
    """Timeline mode: the causes of a compromise through a link needing several credentials (its
    source's compromise and every credential's), sorted and without repeats, written at the end of
    the log (count, then event numbers) like a "waits for" list; the event's first cause slot then
    holds -2 - that offset."""
    count = 2 + also_p[arc + 1] - also_p[arc]
    causes = np.empty(count, dtype=np.int64)
    causes[0] = s[S_COMP_EVENT, rsrc[arc]]
    causes[1] = s[S_COMP_EVENT, rreq[arc]]
    for position in range(also_p[arc], also_p[arc + 1]):
        causes[2 + position - also_p[arc]] = s[S_COMP_EVENT, also[position]]
    causes.sort()
    aux = g[G_EXTRA] - (1 + count)
    if aux < L_WIDTH * (g[G_EVENTS] + 1):
        g[G_OVERFLOW] |= OVER_EXTRA
        return
    kept = 0
    for position in range(count):
        if causes[position] >= 0 and (kept == 0 or causes[position] != log[aux + kept]):
            kept += 1
            log[aux + kept] = causes[position]
    log[aux] = kept
    g[G_EXTRA] = aux
    base = L_WIDTH * event
    log[base + L_CAUSE1] = -2 - aux
    log[base + L_CAUSE2] = -1


@_jit_inline
def _compromise(
    attack, s, r, queue, log, g, fired, delays, reach_delay, edr_alert, edr_delay, node, time, initial, arc
):
    """``attack`` = (m, slot_on, slot_node, rsrc, rdst, rreq, rout_p, rout, gated_p, gated, also_p,
    also): only the arrays this per-compromise function needs, so that calling it does not carry the
    whole model. ``arc`` is the reach arc that landed (-1 for an initial access); the causes are the
    events that compromised its source and obtained its credentials (the same ones as when it
    started)."""
    m, son, snode, rsrc, rdst, rreq, rout_p, rout, gated_p, gated, also_p, also = attack
    is_credential = m[M_CRED, node] != 0
    s[S_COMP, node] = 1
    s[S_HELD, node] = -1  # void now: a later guard pop finds none to release
    # emit: initial_access, credential_obtained or compromised (causes are looked up only for
    # the event log: scattered reads that the summary mode does without)
    if initial:
        event = _emit(log, g, time, EV_INITIAL, node, -1, -1, -1)
    elif g[G_LOG] != 0:
        req = rreq[arc]
        source_event = s[S_COMP_EVENT, rsrc[arc]]
        credential_event = s[S_COMP_EVENT, req] if req >= 0 else -1
        kind = EV_CREDENTIAL if is_credential else EV_COMPROMISED
        event = _emit(log, g, time, kind, node, arc, source_event, credential_event)
        if also_p[arc + 1] > also_p[arc] and g[G_OVERFLOW] == 0:
            _emit_long_causes(log, g, event, rsrc, rreq, also_p, also, s, arc)
    else:
        event = _emit(log, g, time, EV_COMPROMISED, node, arc, -1, -1)
    s[S_COMP_EVENT, node] = event
    s[S_HIT_COMP, node] = 1
    if r[R_OBTAINED, node] != r[R_OBTAINED, node]:
        r[R_OBTAINED, node] = time
    if initial:
        if fired[len(delays) + ON_INITIAL] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_INITIAL, node, time)
        if fired[len(delays) + ON_COMPROMISED] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_COMPROMISED, node, time)
    elif is_credential:
        if fired[len(delays) + ON_CREDENTIAL] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_CREDENTIAL, node, time)
        if fired[len(delays) + ON_COMPROMISED] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_COMPROMISED, node, time)
    else:
        if fired[len(delays) + ON_COMPROMISED] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_COMPROMISED, node, time)
    for position in range(rout_p[node], rout_p[node + 1]):
        arc = rout[position]
        req = rreq[arc]
        if req < 0 or s[S_COMP, req] != 0:
            _start_move(rsrc, rdst, rreq, also_p, also, s, queue, g, reach_delay, arc, time)
    if is_credential:
        for position in range(gated_p[node], gated_p[node + 1]):
            arc = gated[position]
            src = rsrc[arc]
            if s[S_COMP, src] != 0 and src != node and not _blocked(s, src):
                _start_move(rsrc, rdst, rreq, also_p, also, s, queue, g, reach_delay, arc, time)
    elif m[M_EDR, node] != 0:
        for source in range(edr_alert.shape[0]):
            if edr_alert[source, node]:
                _push(queue, g, time + edr_delay[source, node], EDR_ALERT, source, node, event, 0)


@_jit_inline
def _detect(son, snode, s, r, queue, log, g, f, fired, delays, node, time, cause, source):
    if g[G_DETECTED] == 0:
        g[G_DETECTED] = 1
        f[F_DETECTION] = time
        _emit(log, g, time, EV_DETECTED, node, source, cause, -1)
        if fired[len(delays) + ON_DETECTED] != 0:
            _fire_watchers(son, snode, queue, g, fired, delays, ON_DETECTED, node, time)


@_jit_inline
def _enter_degraded(son, snode, nf, s, r, queue, log, g, fired, delays, node, time, why, by_playbook):
    s[S_FUNC, node] = DEGRADED
    event = _emit(log, g, time, EV_DEGRADED, node, by_playbook, why, -1)
    s[S_HIT_DOWN, node] = 1
    if r[R_LOSS, node] != r[R_LOSS, node]:
        r[R_LOSS, node] = time
    if r[R_DEGRADED, node] != r[R_DEGRADED, node]:
        r[R_DEGRADED, node] = time
    if fired[len(delays) + ON_DOWN] != 0:
        _fire_watchers(son, snode, queue, g, fired, delays, ON_DOWN, node, time)
    limit = nf[1, node]
    if limit != np.inf:
        _push(queue, g, time + limit, EXPIRE, node, s[S_OUTAGE, node], event, 0)
    return event


@_jit_inline
def _emit_down(son, snode, s, r, queue, log, g, fired, delays, node, time, why):
    event = _emit(log, g, time, EV_DOWN, node, -1, why, -1)
    s[S_HIT_DOWN, node] = 1
    if r[R_LOSS, node] != r[R_LOSS, node]:
        r[R_LOSS, node] = time
    if fired[len(delays) + ON_DOWN] != 0:
        _fire_watchers(son, snode, queue, g, fired, delays, ON_DOWN, node, time)
    return event


@_jit_inline
def _emit_up(queue, log, g, r, node, time, why):
    event = _emit(log, g, time, EV_UP, node, -1, why, -1)
    if r[R_LOSS, node] == r[R_LOSS, node] and r[R_BACK, node] != r[R_BACK, node]:
        r[R_BACK, node] = time
    return event


@_jit
def _cascade(c, s, r, queue, log, g, fired, delays, counted, work, whys, time):
    """The reference cascade; ``work`` is the initial FIFO of nodes (consumed), ``whys`` the event
    that puts each of them there (-1: none). ``c``: _cascade_arrays(k), the only model arrays it
    reads (numba passes every array of a tuple argument field by field: the whole model would be
    some two hundred arguments per call)."""
    dep, grace, out_p, out, activation_row, m, in_p, son, snode = c
    logging = g[G_LOG] != 0  # causes are only tracked for the event log
    head = 0
    while head < len(work):
        node = work[head]
        why = whys[head] if logging else -1
        head += 1
        inputs = in_p[node + 1] - in_p[node]
        # a node without dependencies never fails by its gate (as in the reference)
        available = not _own_fault(s, node) and (
            inputs == 0 or _gate_passes(m, in_p, node, inputs - s[S_FAILED, node])
        )
        state = s[S_FUNC, node]
        if available == (state == UP):
            continue
        s[S_OUTAGE, node] += 1
        if available:
            s[S_FUNC, node] = UP
            event = _emit_up(queue, log, g, r, node, time, why)
            for position in range(out_p[node], out_p[node + 1]):
                arc = out[position]
                if counted[arc] != 0:
                    counted[arc] = 0
                    dependent = dep[1, arc]
                    s[S_FAILED, dependent] -= 1
                    work.append(dependent)
                    if logging:
                        whys.append(event)
            for position in range(out_p[node], out_p[node + 1]):
                dependent = dep[1, out[position]]
                if s[S_WAITING, dependent] != 0:
                    _push(queue, g, time, RETRY, dependent, event, 0, 0)
            continue
        if _own_fault(s, node) and s[S_OWN_EVENT, node] >= 0:
            why = s[S_OWN_EVENT, node]
        activation = activation_row[0, node]
        if activation != activation:
            s[S_FUNC, node] = DOWN
            event = _emit_down(son, snode, s, r, queue, log, g, fired, delays, node, time, why)
        elif s[S_PREARMED, node] != 0 or activation == 0:
            event = _enter_degraded(
                son, snode, activation_row, s, r, queue, log, g, fired, delays, node, time, why, 0
            )
        else:
            s[S_FUNC, node] = DOWN
            event = _emit_down(son, snode, s, r, queue, log, g, fired, delays, node, time, why)
            _push(queue, g, time + activation, DEGRADE, node, s[S_OUTAGE, node], event, 0)
        for position in range(out_p[node], out_p[node + 1]):
            arc = out[position]
            if grace[arc] > 0:
                _push(queue, g, time + grace[arc], INPUT_LOST, arc, s[S_OUTAGE, dep[0, arc]], event, 0)
            else:
                counted[arc] = 1
                dependent = dep[1, arc]
                s[S_FAILED, dependent] += 1
                work.append(dependent)
                if logging:
                    whys.append(event)


@_jit_inline
def _cascade_arrays(k):
    return (k[K_DEP], k[K_GRACE], k[K_DOUT_P], k[K_DOUT], k[K_NF], k[K_M], k[K_DIN_P], k[K_SON], k[K_SNODE])


@_jit_inline
def _cascade_one(k, s, r, queue, log, g, fired, delays, counted, node, why, time):
    work = [node]
    whys = [why] if g[G_LOG] != 0 else work  # whys is only read in timeline mode
    _cascade(_cascade_arrays(k), s, r, queue, log, g, fired, delays, counted, work, whys, time)


@_jit
def _eliminate(k, s, member, nodes, watched):
    """Drop from ``member`` (true for the listed ``nodes``) every node whose gate fails when the up
    nodes and the members count as working, until none fails: the greatest such subset. Every count
    is taken before any node is dropped (see the reference's restartable). Stops as soon as
    ``watched`` is dropped (-1: never)."""
    dep = k[K_DEP]
    in_p, into = k[K_DIN_P], k[K_DIN]
    out_p, out = k[K_DOUT_P], k[K_DOUT]
    working = np.zeros(s.shape[1], dtype=np.int64)
    for node in nodes:
        count = 0
        for position in range(in_p[node], in_p[node + 1]):
            src = dep[0, into[position]]
            if s[S_FUNC, src] == UP or member[src]:
                count += 1
        working[node] = count
    dropped = [0]
    dropped.pop()
    for node in nodes:
        if not _gate_passes(k[K_M], in_p, node, working[node]):
            dropped.append(node)
    for node in dropped:
        member[node] = False
    while len(dropped) > 0 and (watched < 0 or member[watched]):
        node = dropped.pop()
        for position in range(out_p[node], out_p[node + 1]):
            dependent = dep[1, out[position]]
            if member[dependent]:
                working[dependent] -= 1
                if not _gate_passes(k[K_M], in_p, dependent, working[dependent]):
                    member[dependent] = False
                    dropped.append(dependent)


@_jit
def _restartable(k, s, assumed):
    """The reference's restartable: the systems not up that could all come up together now."""
    n = s.shape[1]
    candidate = np.zeros(n, dtype=np.bool_)
    nodes = [0]
    nodes.pop()
    for node in range(n):
        candidate[node] = s[S_FUNC, node] != UP and (node == assumed or not _own_fault(s, node))
        if candidate[node]:
            nodes.append(node)
    _eliminate(k, s, candidate, nodes, -1)
    return candidate


@_jit
def _restartable_from(k, s, node):
    """``_restartable(k, s, node)[node]`` computed on the dependencies of ``node`` only.

    Whether a node can come back only depends on the nodes it depends on, directly or not, through
    nodes that are down but not at fault: the elimination runs on that set (its own dependencies
    are in it), which gives the same answer as over the whole graph, in time proportional to the
    set (a restore request in a run where most systems are down checked every system otherwise)."""
    if s[S_FUNC, node] == UP:
        return False
    dep = k[K_DEP]
    in_p, into = k[K_DIN_P], k[K_DIN]
    member = np.zeros(s.shape[1], dtype=np.bool_)
    member[node] = True
    group = [node]
    head = 0
    while head < len(group):
        current = group[head]
        head += 1
        for position in range(in_p[current], in_p[current + 1]):
            src = dep[0, into[position]]
            if not member[src] and s[S_FUNC, src] != UP and not _own_fault(s, src):
                member[src] = True
                group.append(src)
    _eliminate(k, s, member, group, node)
    return member[node]


@_jit
def _dependencies_up(k, s, node):
    dep = k[K_DEP]
    in_p, into = k[K_DIN_P], k[K_DIN]
    up = 0
    healthy = 0
    for position in range(in_p[node], in_p[node + 1]):
        src = dep[0, into[position]]
        if s[S_FUNC, src] == UP:
            up += 1
            healthy += 1
        elif not _own_fault(s, src):
            healthy += 1
    if _gate_passes(k[K_M], k[K_DIN_P], node, up):
        return True
    return _gate_passes(k[K_M], k[K_DIN_P], node, healthy) and _restartable_from(k, s, node)


@_jit
def _deadlocked(k, s):
    """Whether the reference's check_deadlock() would find a group to report: a waiting restore
    that cannot come back and lies on a cycle of dependencies that cannot come back either.

    The kernel does not write that report (its causes are a variable-length list and its order
    follows networkx); in timeline mode the run is then handed back to the reference engine."""
    n = s.shape[1]
    m = k[K_M]
    dep = k[K_DEP]
    in_p, into = k[K_DIN_P], k[K_DIN]
    out_p, out = k[K_DOUT_P], k[K_DOUT]
    can = np.zeros(n, dtype=np.bool_)
    working = np.zeros(n, dtype=np.int64)
    frontier = [0]
    frontier.pop()
    for node in range(n):
        if s[S_FUNC, node] == UP or s[S_RESTORING, node] != 0:
            can[node] = True
            frontier.append(node)
    while len(frontier) > 0:
        node = frontier.pop()
        for position in range(out_p[node], out_p[node + 1]):
            dependent = dep[1, out[position]]
            working[dependent] += 1
            if can[dependent] or (_own_fault(s, dependent) and s[S_WAITING, dependent] == 0):
                continue
            if _gate_passes(m, in_p, dependent, working[dependent]):
                can[dependent] = True
                frontier.append(dependent)
    stuck = np.zeros(n, dtype=np.bool_)
    for node in range(n):
        stuck[node] = not can[node] and (s[S_WAITING, node] != 0 or not _own_fault(s, node))
    seen = np.zeros(n, dtype=np.int64)  # last search that visited the node (1-based)
    search = 0
    for start in range(n):
        if s[S_WAITING, start] == 0 or not stuck[start]:
            continue
        search += 1
        stack = [start]
        while len(stack) > 0:
            node = stack.pop()
            for position in range(in_p[node], in_p[node + 1]):
                dependency = dep[0, into[position]]
                if not stuck[dependency]:
                    continue
                if dependency == start:
                    return True
                if seen[dependency] != search:
                    seen[dependency] = search
                    stack.append(dependency)
    return False


@_jit
def _request_restore(k, s, r, queue, log, g, fired, delays, counted, recovery, node, time, cause):
    m = k[K_M]
    if s[S_RESTORING, node] != 0 or m[M_CRED, node] != 0:
        return
    if not (s[S_WAITING, node] != 0 or s[S_COMP, node] != 0 or _own_fault(s, node)):
        return
    backup = m[M_BACKUP, node]
    if backup >= 0 and s[S_ENC, backup] != 0:
        s[S_WAITING, node] = 0
        _emit(log, g, time, EV_BLOCKED_BACKUP, node, backup, cause, s[S_ENC_EVENT, backup])
        return
    rebuild = s[S_COMP, node] != 0 or s[S_ENC, node] != 0
    if not rebuild or m[M_BOOTSTRAP, node] != 0 or _dependencies_up(k, s, node):
        s[S_WAITING, node] = 0
        s[S_RESTORING, node] = 1
        s[S_BLOCKED, node] += 1
        s[S_EPOCH, node] += 1
        event = _emit(log, g, time, EV_RESTORE_STARTED, node, -1, cause, -1)
        s[S_OWN_EVENT, node] = event
        _push(queue, g, time + recovery[node], RESTORED, node, event, 0, 0)
        _cascade_one(k, s, r, queue, log, g, fired, delays, counted, node, -1, time)
        return
    if s[S_WAITING, node] != 0:
        return
    s[S_WAITING, node] = 1
    aux = -1
    if g[G_LOG] != 0:
        # the detail lists the dependencies not up: kept at the end of the log (count, then nodes)
        in_p, into = k[K_DIN_P], k[K_DIN]
        aux = g[G_EXTRA] - (1 + in_p[node + 1] - in_p[node])
        if aux < L_WIDTH * (g[G_EVENTS] + 1):
            g[G_OVERFLOW] |= OVER_EXTRA
            return
        count = 0
        for position in range(in_p[node], in_p[node + 1]):
            src = k[K_DEP][0, into[position]]
            if s[S_FUNC, src] != UP:
                count += 1
                log[aux + count] = src
        log[aux] = count
        g[G_EXTRA] = aux
    _emit(log, g, time, EV_BLOCKED_WAIT, node, aux, cause, -1)
    if g[G_LOG] != 0 and _deadlocked(k, s):
        g[G_FALLBACK] = 1


@_jit
def _restored(k, s, r, queue, log, g, fired, delays, counted, node, time, cause):
    s[S_RESTORING, node] = 0
    s[S_COMP, node] = 0
    s[S_ENC, node] = 0
    s[S_ISO, node] = 0
    s[S_SHUT, node] = 0
    s[S_BLOCKED, node] = 0
    s[S_EPOCH, node] += 1
    event = _emit(log, g, time, EV_RESTORED, node, -1, cause, -1)
    s[S_OWN_EVENT, node] = -1
    _cascade_one(k, s, r, queue, log, g, fired, delays, counted, node, event, time)
    if s[S_FUNC, node] != UP:
        group = _restartable(k, s, -1)
        dep = k[K_DEP]
        out_p, out = k[K_DOUT_P], k[K_DOUT]
        released = [0]
        released.pop()
        for member in range(s.shape[1]):
            if group[member]:
                s[S_FUNC, member] = UP
                s[S_OUTAGE, member] += 1
                _emit_up(queue, log, g, r, member, time, event)
        for member in range(s.shape[1]):
            if group[member]:
                for position in range(out_p[member], out_p[member + 1]):
                    arc = out[position]
                    if counted[arc] != 0:
                        counted[arc] = 0
                        s[S_FAILED, dep[1, arc]] -= 1
                        released.append(dep[1, arc])
        if len(released) > 0:
            whys = [event for _ in released] if g[G_LOG] != 0 else released
            _cascade(_cascade_arrays(k), s, r, queue, log, g, fired, delays, counted, released, whys, time)
    for other in range(s.shape[1]):
        if s[S_WAITING, other] != 0:
            _push(queue, g, time, RETRY, other, event, 0, 0)


@_jit_inline
def _isolate(k, s, r, queue, log, g, fired, delays, counted, node, time, kind, cause):
    """``kind``: EV_ISOLATED, EV_SHUTDOWN or EV_INTERNET_CUT (an isolation too)."""
    if kind == EV_SHUTDOWN:
        if s[S_SHUT, node] != 0:
            return
        s[S_SHUT, node] = 1
    else:
        if s[S_ISO, node] != 0:
            return
        s[S_ISO, node] = 1
    s[S_BLOCKED, node] += 1
    s[S_EPOCH, node] += 1
    s[S_OWN_EVENT, node] = _emit(log, g, time, kind, node, -1, cause, -1)
    _cascade_one(k, s, r, queue, log, g, fired, delays, counted, node, -1, time)


@_jit
def _detonate(k, s, r, queue, log, g, f, fired, delays, counted, time, cause):
    if g[G_OVER] != 0:
        return
    g[G_OVER] = 1
    _drop_attack_entries(queue, g)
    m = k[K_M]
    flags = k[K_FLAGS]
    credential = flags[3]
    domain_wide = flags[1] != 0 and credential >= 0 and s[S_COMP, credential] != 0
    targets = [0]
    targets.pop()
    for node in range(s.shape[1]):
        if m[M_NOT_ENC, node] != 0 or s[S_ENC, node] != 0 or _blocked(s, node):
            continue
        by_domain = domain_wide and m[M_DOMAIN, node] != 0
        if m[M_BACKUP_KIND, node] != 0:
            hit = flags[2] != 0 and (s[S_COMP, node] != 0 or by_domain)
        else:
            hit = (flags[0] != 0 and s[S_COMP, node] != 0) or by_domain
        if hit:
            targets.append(node)
    if len(targets) == 0:
        return
    f[F_ENCRYPTION] = time
    detonation = _emit(log, g, time, EV_ENCRYPTED, -1, len(targets), cause, -1)
    if fired[len(delays) + ON_ENCRYPTED] != 0:
        _fire_watchers(k[K_SON], k[K_SNODE], queue, g, fired, delays, ON_ENCRYPTED, -1, time)
    for node in targets:
        s[S_ENC, node] = 1
        s[S_HIT_ENC, node] = 1
        reason = s[S_COMP_EVENT, node] if s[S_COMP, node] != 0 else s[S_COMP_EVENT, credential]
        event = _emit(log, g, time, EV_ENCRYPTED, node, -1, detonation, reason)
        s[S_ENC_EVENT, node] = event
        s[S_OWN_EVENT, node] = event
        if fired[len(delays) + ON_ENCRYPTED] != 0:
            _fire_watchers(k[K_SON], k[K_SNODE], queue, g, fired, delays, ON_ENCRYPTED, node, time)
    whys = [-1 for _ in targets] if g[G_LOG] != 0 else targets
    _cascade(_cascade_arrays(k), s, r, queue, log, g, fired, delays, counted, targets, whys, time)


@_jit
def _stop(k, s, r, queue, log, g, fired, delays, counted, node, time):
    """The reference's stop at the end of compromise(): a system marked stops_when_compromised is
    encrypted the moment it is compromised (a wiper, a host encrypted by hand), then the cascade."""
    s[S_ENC, node] = 1
    s[S_HIT_ENC, node] = 1
    event = _emit(log, g, time, EV_STOPPED, node, -1, s[S_COMP_EVENT, node], -1)
    s[S_ENC_EVENT, node] = event
    s[S_OWN_EVENT, node] = event
    if fired[len(delays) + ON_ENCRYPTED] != 0:
        _fire_watchers(k[K_SON], k[K_SNODE], queue, g, fired, delays, ON_ENCRYPTED, node, time)
    _cascade_one(k, s, r, queue, log, g, fired, delays, counted, node, -1, time)


@_jit
def _run_action(k, s, r, queue, log, g, fired, delays, counted, recovery, index, time, cause):
    m = k[K_M]
    code = k[K_ACODE][index]
    pointer, nodes = k[K_ANODES_P], k[K_ANODES]
    event = _emit(log, g, time, EV_ACTION, -1, index, cause, -1)
    if code == ACT_CUT:
        g[G_CUT] = 1
        gateways = 0
        for node in range(s.shape[1]):
            gateways += m[M_INTERNET, node] != 0
        if gateways == 0:
            _emit(log, g, time, EV_INTERNET_CUT, -1, -1, event, -1)
        for node in range(s.shape[1]):
            if m[M_INTERNET, node] != 0:
                _isolate(k, s, r, queue, log, g, fired, delays, counted, node, time, EV_INTERNET_CUT, event)
        return
    for position in range(pointer[index], pointer[index + 1]):
        node = nodes[position]
        if code == ACT_ISOLATE:
            _isolate(k, s, r, queue, log, g, fired, delays, counted, node, time, EV_ISOLATED, event)
        elif code == ACT_SHUTDOWN:
            _isolate(k, s, r, queue, log, g, fired, delays, counted, node, time, EV_SHUTDOWN, event)
        elif code == ACT_RESET:
            if m[M_CRED, node] != 0:
                s[S_COMP, node] = 0
                s[S_EPOCH, node] += 1
            _emit(log, g, time, EV_RESET, node, -1, event, -1)
        elif code == ACT_DEGRADED:
            activation = k[K_NF][0, node]
            if activation != activation:
                continue
            s[S_PREARMED, node] = 1
            if s[S_FUNC, node] == DOWN and s[S_EXPIRED, node] != s[S_OUTAGE, node]:
                _enter_degraded(
                    k[K_SON], k[K_SNODE], k[K_NF], s, r, queue, log, g, fired, delays, node, time, event, 1
                )
        else:
            _request_restore(k, s, r, queue, log, g, fired, delays, counted, recovery, node, time, event)


@_jit
def _fire_detonation(k, s, r, queue, log, g, f, fired, delays, counted, time, cause):
    attack = k[K_ATTACK]
    initial_at = k[K_IAT]
    when = time
    if len(initial_at) > 0:
        when = max(when, initial_at.min() + attack[0])
    if k[K_FLAGS][4] != 0:
        start, end = attack[2], attack[3]
        clock = (attack[1] + when) % 1440
        inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
        if not inside:
            when += (start - clock) % 1440
    if when > time:
        _push(queue, g, when, DETONATE, cause, 0, 0, 0)
    else:
        _detonate(k, s, r, queue, log, g, f, fired, delays, counted, time, cause)


@_jit
def _workspace(n, arcs, slots, deps, capacity, log_capacity):
    """The arrays a run works in: (state matrix, record matrix, integer registers, float
    registers, log, fired counts, counted inputs, queue, popped entry, copy of the run's reach
    delays). Allocated once per block, reset by each run."""
    return (
        np.empty((S_ROWS, n), dtype=np.int64),
        np.empty((4, n)),
        np.empty(10, dtype=np.int64),
        np.empty(2),
        np.empty(log_capacity * (L_WIDTH + 1)),
        np.empty(slots + len(ON_KINDS), dtype=np.int64),
        np.empty(deps, dtype=np.int64),
        (
            np.empty(capacity),
            np.empty(capacity, dtype=np.int64),
            np.empty(capacity * 5, dtype=np.int64),
            np.empty(capacity),
            np.empty(capacity, dtype=np.int64),
            np.empty(capacity, dtype=np.int64),
        ),
        np.empty(6, dtype=np.int64),
        np.empty(arcs),
    )


@_jit
def _simulate(k, reach_delay, recovery, edr_alert, edr_delay, delays, workspace):
    """One run in ``workspace`` (see _workspace; borrowed arrays), which it resets first. The
    registers say whether an array overflowed (G_OVERFLOW: the caller retries with larger ones) or
    the run needs the reference engine (G_FALLBACK). A log array of non-zero length switches the
    timeline mode on: every event is logged (see _emit)."""
    # borrowed again here: LLVM then sees every owner is NULL and drops the reference counting
    s, r, g, f, log, fired, counted, queue, entry, delay_copy = _borrow(workspace)
    k, drawn_delay, recovery, edr_alert, edr_delay, delays = _borrow(
        (k, reach_delay, recovery, edr_alert, edr_delay, delays)
    )
    # The run's reach delays were just drawn (fresh memory, likely out of the cache by now) and are
    # read in the order of the compromises: one sequential copy, which the prefetcher streams in,
    # costs less than a cache miss per compromised system.
    delay_copy[:] = drawn_delay
    reach_delay = delay_copy
    s[:] = 0
    s[S_EXPIRED] = -1
    s[S_COMP_EVENT] = -1
    s[S_ENC_EVENT] = -1
    s[S_OWN_EVENT] = -1
    s[S_GUARD] = -1
    s[S_HELD] = -1
    r[:] = np.nan
    g[:] = 0
    f[:] = np.nan
    fired[:] = 0
    counted[:] = 0
    g[G_LOG] = len(log) > 0
    g[G_EXTRA] = len(log)
    initial_node = k[K_INODE]
    initial_at = k[K_IAT]
    for i in range(len(initial_node)):
        _push(queue, g, initial_at[i], INITIAL, initial_node[i], 0, 0, 0)
    slot_at = k[K_SAT]
    for slot in range(len(slot_at)):
        if slot_at[slot] == slot_at[slot]:
            fired[slot] = 1
            _push(queue, g, slot_at[slot], FIRE, slot, -1, 0, 0)
        else:
            fired[len(slot_at) + k[K_SON][slot]] += 1
    dep = k[K_DEP]
    rsrc, rdst, rreq = k[K_RSRC], k[K_RDST], k[K_RREQ]
    also_p, also = k[K_ALSO_P], k[K_ALSO]
    m = k[K_M]
    attack = (
        k[K_M],
        k[K_SON],
        k[K_SNODE],
        rsrc,
        rdst,
        rreq,
        k[K_ROUT_P],
        k[K_ROUT],
        k[K_GATED_P],
        k[K_GATED],
        k[K_ALSO_P],
        k[K_ALSO],
    )
    while g[G_SIZE] > 0 and g[G_OVERFLOW] == 0 and g[G_FALLBACK] == 0:
        time = _pop(queue, g, entry)
        code, a, b, c, d = entry[0], entry[1], entry[2], entry[3], entry[4]
        if code == ARRIVE:
            if g[G_OVER] != 0:
                continue
            src, dst, req = rsrc[a], rdst[a], rreq[a]
            held = _unguard(s, dst, entry[5])
            several = also_p[a + 1] > also_p[a]
            if (
                s[S_COMP, dst] != 0
                or s[S_EPOCH, src] != b
                or s[S_EPOCH, dst] != c
                or _blocked(s, dst)
                or s[S_COMP, src] == 0
                or (not several and req >= 0 and (s[S_EPOCH, req] != d or s[S_COMP, req] == 0))
                or (several and _also_void(rreq, also_p, also, s, a, d))
            ):
                _release(queue, g, held)
                continue
            _compromise(
                attack,
                s,
                r,
                queue,
                log,
                g,
                fired,
                delays,
                reach_delay,
                edr_alert,
                edr_delay,
                dst,
                time,
                False,
                a,
            )
            if m[M_STOPS, dst] != 0 and s[S_ENC, dst] == 0:
                _stop(k, s, r, queue, log, g, fired, delays, counted, dst, time)
        elif code == INPUT_LOST:
            if s[S_OUTAGE, dep[0, a]] != b or counted[a] != 0:
                continue
            counted[a] = 1
            dependent = dep[1, a]
            s[S_FAILED, dependent] += 1
            _cascade_one(k, s, r, queue, log, g, fired, delays, counted, dependent, c, time)
        elif code == INITIAL:
            if s[S_COMP, a] == 0 and not _blocked(s, a) and g[G_OVER] == 0:
                _compromise(
                    attack,
                    s,
                    r,
                    queue,
                    log,
                    g,
                    fired,
                    delays,
                    reach_delay,
                    edr_alert,
                    edr_delay,
                    a,
                    time,
                    True,
                    -1,
                )
                if m[M_STOPS, a] != 0 and s[S_ENC, a] == 0:
                    _stop(k, s, r, queue, log, g, fired, delays, counted, a, time)
        elif code == FIRE:
            what = k[K_SWHAT][a]
            index = k[K_SINDEX][a]
            if what == SLOT_DETONATION:
                _fire_detonation(k, s, r, queue, log, g, f, fired, delays, counted, time, b)
            elif what == SLOT_EXFILTRATION:
                node = k[K_EXFIL][index]
                if node >= 0 and s[S_COMP, node] != 0 and not _blocked(s, node) and g[G_CUT] == 0:
                    _emit(log, g, time, EV_EXFILTRATION, node, index, b, s[S_COMP_EVENT, node])
                    if fired[len(delays) + ON_EXFILTRATION] != 0:
                        _fire_watchers(
                            k[K_SON], k[K_SNODE], queue, g, fired, delays, ON_EXFILTRATION, node, time
                        )
            elif what == SLOT_DETECTION:
                _detect(k[K_SON], k[K_SNODE], s, r, queue, log, g, f, fired, delays, -1, time, b, index)
            else:
                _run_action(k, s, r, queue, log, g, fired, delays, counted, recovery, index, time, b)
        elif code == EDR_ALERT:
            _detect(k[K_SON], k[K_SNODE], s, r, queue, log, g, f, fired, delays, b, time, c, a)
        elif code == DEGRADE:
            if s[S_OUTAGE, a] == b and s[S_FUNC, a] == DOWN:
                _enter_degraded(
                    k[K_SON], k[K_SNODE], k[K_NF], s, r, queue, log, g, fired, delays, a, time, c, 0
                )
        elif code == EXPIRE:
            if s[S_OUTAGE, a] == b and s[S_FUNC, a] == DEGRADED:
                s[S_EXPIRED, a] = b
                s[S_FUNC, a] = DOWN
                expired = _emit(log, g, time, EV_EXPIRED, a, -1, c, -1)
                _emit_down(k[K_SON], k[K_SNODE], s, r, queue, log, g, fired, delays, a, time, expired)
        elif code == RESTORED:
            _restored(k, s, r, queue, log, g, fired, delays, counted, a, time, b)
        elif code == DETONATE:
            _detonate(k, s, r, queue, log, g, f, fired, delays, counted, time, a)
        elif code == RETRY:
            _request_restore(k, s, r, queue, log, g, fired, delays, counted, recovery, a, time, b)


def _inputs(model: CompiledScenario, playbook: str | None, draws: Draws) -> tuple:
    edr_alert = draws.edr_alert if draws.edr_alert.size else np.zeros((0, model.n), dtype=bool)
    edr_delay = draws.edr_delay if draws.edr_delay.size else np.zeros((0, model.n))
    return (
        _arrays(model, playbook),
        np.ascontiguousarray(draws.reach_delay, dtype=float),
        np.ascontiguousarray(draws.recovery, dtype=float),
        np.ascontiguousarray(edr_alert, dtype=np.bool_),
        np.ascontiguousarray(edr_delay, dtype=float),
        np.ascontiguousarray(draws.trigger_delay, dtype=float),
    )


def _initial_heap(model: CompiledScenario) -> int:
    """Entries of the event queue and its payload pool a first run allocates."""
    return 2 * (len(model.reach_src) + len(model.dep_src) + model.n) + 64


def _run(model: CompiledScenario, inputs: tuple, log: bool) -> tuple:
    """Run the kernel, growing the heap (and the event log) until they are big enough; the sizes
    that worked are kept on the model for the next runs."""
    cache = model.__dict__
    capacity = cache.get("_kernel_heap", _initial_heap(model))
    log_capacity = cache.get("_kernel_log", 4 * model.n + 64) if log else 0
    arrays, *draws = inputs
    one_run = [np.ascontiguousarray(values)[None] for values in draws]  # a block of one run
    n = model.n
    unused = (
        np.empty((1, 3, n), dtype=np.bool_),
        np.empty((1, 4, n)),
        np.empty((1, 2)),
        np.empty(1, dtype=np.int64),
    )
    while True:
        result = _runs(arrays, *one_run, capacity, log_capacity, *unused)
        overflow = result[3][G_OVERFLOW]
        if not overflow:
            return result
        if overflow & OVER_HEAP:
            capacity *= 2
            cache["_kernel_heap"] = capacity
        if overflow & (OVER_LOG | OVER_EXTRA):
            log_capacity *= 2
            cache["_kernel_log"] = log_capacity


@_jit_entry
def _runs(
    k,
    reach_delay,
    recovery,
    edr_alert,
    edr_delay,
    delays,
    capacity,
    log_capacity,
    hits,
    record,
    registers,
    overflow,
):
    """The kernel's one entry point: the runs of a block (row i of each draw array: run i), writing
    per run its hit flags (compromised, encrypted, down per node), record matrix and float registers,
    and flagging in ``overflow`` a run whose arrays were too small (the caller reruns it). Returns the
    last run's (state matrix, record matrix, float registers, integer registers, log): the timeline
    mode runs a block of one. The runs share one workspace (see _workspace). One entry, so that numba
    compiles the event loop once (a second entry calling it compiled it a second time)."""
    n, arcs, slots, deps = k[K_M].shape[1], reach_delay.shape[1], delays.shape[1], k[K_DEP].shape[1]
    owners = _workspace(n, arcs, slots, deps, capacity, log_capacity)
    workspace = _borrow(owners)  # see _borrow: the owners are kept until the return
    k, reach_delay, recovery, edr_alert, edr_delay, delays = _borrow(
        (k, reach_delay, recovery, edr_alert, edr_delay, delays)
    )
    s, r, g, f = workspace[0], workspace[1], workspace[2], workspace[3]
    for run in range(reach_delay.shape[0]):
        _simulate(k, reach_delay[run], recovery[run], edr_alert[run], edr_delay[run], delays[run], workspace)
        overflow[run] = g[G_OVERFLOW]
        for node in range(n):
            hits[run, 0, node] = s[S_HIT_COMP, node] != 0
            hits[run, 1, node] = s[S_HIT_ENC, node] != 0
            hits[run, 2, node] = s[S_HIT_DOWN, node] != 0
        record[run] = r
        registers[run] = f
    return owners[0], owners[1], owners[3], owners[2], owners[4]


@_jit_entry
def _fill_table(uniforms, base, drawn, tri_start, logn_start, low, width, tri, values, transcendental):
    """DelayTable's fixed, uniform and triangular values of a block in one pass (``tri``: rows low,
    high, split, left, right); the lognormal and exponential uniforms copied out, in order."""
    runs, size = uniforms.shape
    for run in range(runs):
        for column in range(size):
            values[run, column] = base[column]
        for index in range(tri_start):
            column = drawn[index]
            values[run, column] = low[index] + width[index] * uniforms[run, column]
        for index in range(tri_start, logn_start):
            column = drawn[index]
            q = index - tri_start
            u = uniforms[run, column]
            if u < tri[2, q]:
                values[run, column] = tri[0, q] + math.sqrt(u * tri[3, q])
            else:
                values[run, column] = tri[1, q] - math.sqrt((1 - u) * tri[4, q])
        for index in range(logn_start, len(drawn)):
            transcendental[run, index - logn_start] = uniforms[run, drawn[index]]


def table_fill(uniforms: np.ndarray, table, values: np.ndarray, transcendental: np.ndarray) -> None:
    """draws.TableFill on the kernel (Monte Carlo hands it to draw_stacked)."""
    prepared = table.__dict__.get("_kernel_fill")
    if prepared is None:
        tri = np.array([table.tri_low, table.tri_high, table.tri_split, table.tri_left, table.tri_right])
        prepared = table.__dict__["_kernel_fill"] = (
            np.ascontiguousarray(table.base, dtype=float),
            np.ascontiguousarray(table.drawn, dtype=np.int64),
            table.tri.start,
            table.logn.start,
            np.ascontiguousarray(table.uniform_low, dtype=float),
            np.ascontiguousarray(table.uniform_width, dtype=float),
            np.ascontiguousarray(tri.reshape(5, -1), dtype=float),
        )
    _fill_table(uniforms, *prepared, values, transcendental)


def kernel_block_summary(
    model: CompiledScenario, layout: MetricLayout, playbook: str | None, block: Draws
) -> BlockSummary:
    """The summaries of a block of runs (``block``: draw_stacked's arrays, one row per run) computed
    by the compiled kernel in one call; the same as kernel_summary run by run."""
    runs, n = block.reach_delay.shape[0], model.n
    no_sources = block.edr_alert.size == 0  # (runs, 0, n), or an empty array from a hand-made Draws
    edr_alert = np.zeros((runs, 0, n), dtype=bool) if no_sources else block.edr_alert
    edr_delay = np.zeros((runs, 0, n)) if no_sources else block.edr_delay
    hits = np.empty((runs, 3, n), dtype=np.bool_)
    record = np.empty((runs, 4, n))
    registers = np.empty((runs, 2))
    overflow = np.zeros(runs, dtype=np.int64)
    capacity = model.__dict__.get("_kernel_heap", _initial_heap(model))
    arrays = _arrays(model, playbook)
    _runs(
        arrays,
        np.ascontiguousarray(block.reach_delay, dtype=float),
        np.ascontiguousarray(block.recovery, dtype=float),
        np.ascontiguousarray(edr_alert, dtype=np.bool_),
        np.ascontiguousarray(edr_delay, dtype=float),
        np.ascontiguousarray(block.trigger_delay, dtype=float),
        capacity,
        0,
        hits,
        record,
        registers,
        overflow,
    )
    for run in np.flatnonzero(overflow):  # rare: rerun alone, growing the heap until it fits
        one = Draws(
            block.reach_delay[run],
            block.recovery[run],
            edr_alert[run],
            edr_delay[run],
            block.trigger_delay[run],
        )
        state, record[run], registers[run] = _run(model, _inputs(model, playbook, one), False)[:3]
        hits[run] = state[[S_HIT_COMP, S_HIT_ENC, S_HIT_DOWN]]
    return BlockSummary(
        times=_key_times(layout, record, registers),
        compromised=hits[:, 0],
        encrypted=hits[:, 1],
        down=hits[:, 2],
        first_compromise=record[:, R_OBTAINED].copy(),
        first_loss=record[:, R_LOSS].copy(),
    )


def _key_times(layout: MetricLayout, record: np.ndarray, registers: np.ndarray) -> np.ndarray:
    """(runs, metrics) key times in MetricLayout order from the kernel's records and registers."""
    runs = len(record)
    times = np.empty((runs, len(layout.names)))
    times[:, 0] = registers[:, F_DETECTION]
    times[:, 1] = registers[:, F_ENCRYPTION]
    credentials = len(layout.credentials)
    times[:, 2 : 2 + credentials] = record[:, R_OBTAINED][:, list(layout.credentials)]
    services = list(layout.services)
    lost, back = record[:, R_LOSS][:, services], record[:, R_BACK][:, services]
    with np.errstate(invalid="ignore"):
        outage = np.where(np.isnan(lost), math.nan, np.where(np.isnan(back), math.inf, back - lost))
    service_times = times[:, 2 + credentials :].reshape(runs, len(services), 3)
    service_times[:, :, 0] = lost
    service_times[:, :, 1] = record[:, R_DEGRADED][:, services]
    service_times[:, :, 2] = outage
    return times


def kernel_summary(
    model: CompiledScenario, layout: MetricLayout, playbook: str | None, seed: int, draws: Draws | None = None
) -> RunSummary:
    """Key times of run ``seed`` computed by the compiled kernel (same as reference_summary;
    ``draws``: the run's, if already drawn)."""
    one = draw_stacked(model, playbook, [seed]) if draws is None else _stacked(draws)
    block = kernel_block_summary(model, layout, playbook, one)
    return RunSummary(*(getattr(block, name)[0] for name in BLOCK_FIELDS))


def _stacked(draws: Draws) -> Draws:
    """One run's draws as a block of one run."""
    return Draws(*(np.asarray(getattr(draws, name))[None] for name in DRAW_FIELDS))


@dataclass
class KernelEvents:
    """The typed event log of one kernel run (timeline mode), as arrays: per event its minute,
    kind code (EVENT_KINDS), node (-1: none), aux (what its detail is made of) and up to two
    causes (-1: none), plus the dependency lists of "waits for its dependencies" details.

    ``rows`` gives exactly the reference engine's RunEvents rows (time, kind, node, causes, detail).
    """

    model: CompiledScenario
    playbook: str | None
    time: np.ndarray
    codes: np.ndarray  # (events, L_WIDTH) int64, columns L_KIND...
    extra: np.ndarray  # the whole log: "waits for" lists at their aux offsets (count, then nodes)

    def __len__(self) -> int:
        return len(self.time)

    @property
    def rows(self) -> list[tuple[float, str, int, tuple[int, ...], str]]:
        return list(zip(self.time.tolist(), self.kind, self.node, self.causes(), self.details(), strict=True))

    @property
    def kind(self) -> list[str]:
        names = EVENT_KINDS
        return [names[code] for code in self.codes[:, L_KIND].tolist()]

    @property
    def node(self) -> list[int]:
        return self.codes[:, L_NODE].tolist()

    def causes(self) -> list[tuple[int, ...]]:
        """Per event, its causes (sorted event numbers)."""
        found = [
            (first, second) if second >= 0 else ((first,) if first >= 0 else ())
            for first, second in self.codes[:, L_CAUSE1 : L_CAUSE2 + 1].tolist()
        ]
        for number, causes in self.long_causes().items():
            found[number] = causes
        return found

    def long_causes(self) -> dict[int, tuple[int, ...]]:
        """The events with more than two causes (a link that needs several credentials): their
        first cause slot holds -2 - the offset of the list at the end of the log (count, then
        event numbers)."""
        first = self.codes[:, L_CAUSE1]
        found = {}
        for number in np.flatnonzero(first < -1).tolist():
            offset = -2 - int(first[number])
            count = int(self.extra[offset])
            found[number] = tuple(self.extra[offset + 1 : offset + 1 + count].astype(np.int64).tolist())
        return found

    @property
    def node_codes(self) -> np.ndarray:
        """Per event, its node (-1: none)."""
        return self.codes[:, L_NODE]

    @property
    def cause_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Per event, its first and second cause (sorted event numbers; -1: none)."""
        return self.codes[:, L_CAUSE1], self.codes[:, L_CAUSE2]

    def details(self) -> list[str]:
        """Per event, its detail text, rebuilt from the model like the reference engine writes it."""
        details = [""] * len(self.time)
        for number, text in self.sparse_details().items():
            details[number] = text
        return details

    def sparse_details(self) -> dict[int, str]:
        """The non-empty details by event number, in event order (see ``details``). The many
        compromises take their link's technique at once; the other kinds are few."""
        from studio.propagation.reference import clip_detail

        model = self.model
        codes = self.codes[:, L_KIND]
        aux = self.codes[:, L_AUX]
        found: dict[int, str] = {}
        moves = np.flatnonzero((codes == EV_COMPROMISED) | (codes == EV_CREDENTIAL))
        techniques = model.reach_technique
        for number, arc in zip(moves.tolist(), aux[moves].tolist(), strict=True):
            text = techniques[arc]
            if text:
                found[number] = clip_detail(text)
        nodes = self.codes[:, L_NODE]
        actions = model.playbooks.get(self.playbook, []) if self.playbook else []
        extra = self.extra
        others = (codes != EV_COMPROMISED) & (codes != EV_CREDENTIAL) & ((codes != EV_DOWN) | (nodes < 0))
        others &= (codes != EV_ENCRYPTED) | (nodes < 0)
        for number in np.flatnonzero(others).tolist():
            code, value = int(codes[number]), int(aux[number])
            if code == EV_ENCRYPTED:
                text = f"detonation: {value} systems encrypted"
            elif code == EV_STOPPED:
                text = "stopped when compromised"
            elif code == EV_DETECTED:
                edr = nodes[number] >= 0
                text = model.edr_sources[value][2] if edr else model.scripted_detections[value][1]
            elif code == EV_DEGRADED:
                text = "workaround activated by the playbook" if value else ""
            elif code == EV_ACTION:
                action = actions[value]
                text = f"{action.action_id}: {action.label or action.action}"
            elif code == EV_BLOCKED_BACKUP:
                text = f"backup {model.ids[value]} is encrypted: no restore possible"
            elif code == EV_BLOCKED_WAIT:
                missing = extra[value + 1 : value + 1 + int(extra[value])].astype(np.int64).tolist()
                text = "waits for its dependencies: " + ", ".join(model.ids[node] for node in missing)
            elif code == EV_EXFILTRATION:
                text = model.exfiltrations[value][3]
            else:
                continue
            if text:
                found[number] = clip_detail(text)
        return found


def kernel_events(model: CompiledScenario, draws: Draws, playbook: str | None) -> KernelEvents | None:
    """The full event log of one run (the reference engine's, event for event), or None when the
    run holds a restore deadlock, which only the reference engine reports (run it instead)."""
    registers, log = _run(model, _inputs(model, playbook, draws), True)[3:]
    if registers[G_FALLBACK]:
        return None
    count = int(registers[G_EVENTS])
    table = log[: count * L_WIDTH].reshape(count, L_WIDTH)
    return KernelEvents(model, playbook, table[:, L_TIME].copy(), table.astype(np.int64), log)
