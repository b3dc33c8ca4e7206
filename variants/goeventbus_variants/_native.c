/*
 * goeventbus_variants._native: the compiled core of the ``native`` EventStore.
 *
 * One ``Core`` per store holds what the hot paths touch: the ring of pending
 * records, the hot counters, the flags the fast paths test, and the store's lock.
 * ``subscribe``, ``subscribe_many`` and ``publish`` run here when nothing unusual is
 * going on, and otherwise call the reference's Python code, which sees the same
 * ring, counters and lock through the Core's Python interface (native.py).
 *
 * The lock is a C-level lock (an atomic flag), not the GIL: hashing a
 * projection, releasing a record (its __del__), a garbage collection triggered by
 * an allocation, or a handler can all run Python code and switch threads. So every
 * compound step on the ring happens under the lock, and nothing that can run Python
 * code happens while it is held: records are built before taking it, dropped ones
 * are released after letting go of it, and a claimed batch is copied into a plain
 * C array (no allocation of tracked objects) before dispatch starts.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <time.h>

/* tries, each yielding the GIL to the holder, before blocking on the lock */
#define LOCK_YIELDS 100

typedef struct {
    PyObject_HEAD
    char locked; /* the lock: an atomic test-and-set flag */
    PyObject **slots;
    Py_ssize_t capacity;
    size_t mask;
    size_t head; /* position of the next push */
    size_t tail; /* position of the oldest record */
    long long published, dropped, processed, errors, unhandled;
    char closed, drop_oldest, bare, async_mode; /* T_BOOL members are chars */
    Py_ssize_t room_waiters;
    /* bound by native.py after the store is built */
    PyObject *returned;       /* the store's deque of handed-back records */
    PyObject *lookup;         /* dispatcher.get */
    PyObject *dispatcher;     /* looked up directly when it is exactly a dict */
    PyObject *slow_subscribe; /* the reference's subscribe, bound to the store */
    PyObject *slow_many;      /* the reference's subscribe_many */
    PyObject *slow_publish;   /* the reference's publish */
    PyObject *deliver;        /* the store's _deliver (hooks, middleware) */
    PyObject *hand_back;      /* puts an interrupted batch's rest back, first */
    PyObject *unhandled_mark; /* what _deliver returns for a missing handler */
    PyObject *refuse;         /* goeventbus.pipeline.refuse_coroutine */
    PyObject *event_type;
    PyObject *context_type;
    PyObject *background;
    PyObject *ctx_key;        /* "__ctx" */
    Py_ssize_t args_offset, projection_offset; /* slot offsets in Event */
} Core;

/* -- the lock ------------------------------------------------------------------ */

static inline int
core_trylock(Core *self)
{
    return !__atomic_test_and_set(&self->locked, __ATOMIC_ACQUIRE);
}

static inline void
core_unlock(Core *self)
{
    __atomic_clear(&self->locked, __ATOMIC_RELEASE);
}

/* Wait for the lock with the GIL released: first just let the holder run, then
 * sleep in growing steps (the holder is descheduled or runs Python code). Returns
 * 0 if ``deadline`` (CLOCK_MONOTONIC seconds, < 0 for none) passed first. */
static int
core_lock_until(Core *self, double deadline)
{
    if (core_trylock(self)) {
        return 1;
    }
    for (int i = 0; i < LOCK_YIELDS; i++) {
        Py_BEGIN_ALLOW_THREADS
        Py_END_ALLOW_THREADS
        if (core_trylock(self)) {
            return 1;
        }
    }
    long nanos = 1000;
    for (;;) {
        struct timespec now, pause = {0, nanos};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (deadline >= 0 && now.tv_sec + now.tv_nsec * 1e-9 >= deadline) {
            return core_trylock(self);
        }
        Py_BEGIN_ALLOW_THREADS
        nanosleep(&pause, NULL);
        Py_END_ALLOW_THREADS
        if (core_trylock(self)) {
            return 1;
        }
        if (nanos < 20000) {
            nanos *= 2;
        }
    }
}

static inline void
core_lock(Core *self)
{
    if (!core_trylock(self)) {
        core_lock_until(self, -1.0);
    }
}

static PyObject *
core_acquire(Core *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"blocking", "timeout", NULL};
    int blocking = 1;
    double timeout = -1.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|pd:acquire", keywords, &blocking, &timeout)) {
        return NULL;
    }
    if (!blocking) {
        return PyBool_FromLong(core_trylock(self));
    }
    double deadline = -1.0;
    if (timeout >= 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline = now.tv_sec + now.tv_nsec * 1e-9 + timeout;
    }
    return PyBool_FromLong(core_lock_until(self, deadline));
}

static PyObject *
core_release(Core *self, PyObject *Py_UNUSED(ignored))
{
    core_unlock(self);
    Py_RETURN_NONE;
}

static PyObject *
core_enter(Core *self, PyObject *Py_UNUSED(ignored))
{
    core_lock(self);
    Py_RETURN_TRUE;
}

static PyObject *
core_exit(Core *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    core_unlock(self);
    Py_RETURN_FALSE;
}

static PyObject *
core_locked(Core *self, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(__atomic_load_n(&self->locked, __ATOMIC_RELAXED));
}

/* -- the ring, as the reference's Python code uses it (lock held by the caller) -- */

static Py_ssize_t
core_len(Core *self)
{
    return (Py_ssize_t)(self->head - self->tail);
}

static PyObject *
core_offer(Core *self, PyObject *item)
{
    if ((Py_ssize_t)(self->head - self->tail) == self->capacity) {
        Py_RETURN_FALSE;
    }
    size_t index = self->head & self->mask;
    PyObject *old = self->slots[index];
    Py_INCREF(item);
    self->slots[index] = item;
    self->head++;
    Py_XDECREF(old); /* always NULL: claimed and dropped slots are cleared */
    Py_RETURN_TRUE;
}

static PyObject *
core_pop_oldest(Core *self, PyObject *Py_UNUSED(ignored))
{
    if (self->head == self->tail) {
        PyErr_SetString(PyExc_IndexError, "pop from an empty ring");
        return NULL;
    }
    size_t index = self->tail & self->mask;
    PyObject *item = self->slots[index];
    self->slots[index] = NULL;
    self->tail++;
    return item; /* the reference, transferred to the caller */
}

static PyObject *
core_extend(Core *self, PyObject *items)
{
    if (!PyList_CheckExact(items)) {
        PyErr_SetString(PyExc_TypeError, "extend() takes a list");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(items);
    if (count > self->capacity - (Py_ssize_t)(self->head - self->tail)) {
        PyErr_Format(PyExc_ValueError, "no room for %zd items", count);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_INCREF(item);
        self->slots[(self->head + (size_t)i) & self->mask] = item;
    }
    self->head += (size_t)count;
    Py_RETURN_NONE;
}

static PyObject *
core_drop(Core *self, PyObject *arg)
{
    Py_ssize_t count = PyLong_AsSsize_t(arg);
    if (count == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t pending = (Py_ssize_t)(self->head - self->tail);
    for (Py_ssize_t i = 0; i < count && i < pending; i++) {
        size_t index = self->tail & self->mask;
        PyObject *item = self->slots[index];
        self->slots[index] = NULL;
        self->tail++;
        Py_XDECREF(item);
    }
    Py_RETURN_NONE;
}

static PyObject *
core_take_all(Core *self, PyObject *Py_UNUSED(ignored))
{
    Py_ssize_t count = (Py_ssize_t)(self->head - self->tail);
    PyObject *items = PyList_New(count);
    if (items == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        size_t index = (self->tail + (size_t)i) & self->mask;
        PyList_SET_ITEM(items, i, self->slots[index]);
        self->slots[index] = NULL;
    }
    self->tail = self->head;
    return items;
}

/* -- the fast paths ------------------------------------------------------------ */

static inline PyObject *
slot_of(PyObject *obj, Py_ssize_t offset)
{
    return *(PyObject **)((char *)obj + offset);
}

/* Whether ``event`` is an exact Event whose projection hashes and whose args are a
 * dict or None: the events the fast paths take (no error is left set). */
static int
plain_event(Core *self, PyObject *event)
{
    if (Py_TYPE(event) != (PyTypeObject *)self->event_type) {
        return 0;
    }
    PyObject *args = slot_of(event, self->args_offset);
    if (args == NULL || (args != Py_None && !PyDict_CheckExact(args))) {
        return 0;
    }
    PyObject *projection = slot_of(event, self->projection_offset);
    if (projection == NULL) {
        return 0;
    }
    if (!PyUnicode_CheckExact(projection) && PyObject_Hash(projection) == -1) {
        PyErr_Clear(); /* the reference path raises the TypeError with its message */
        return 0;
    }
    return 1;
}

static inline int
plain_ctx(Core *self, PyObject *ctx)
{
    return ctx == Py_None || Py_TYPE(ctx) == (PyTypeObject *)self->context_type;
}

static inline int
has_returned(Core *self)
{
    return PyObject_Length(self->returned) > 0;
}

static PyObject *
core_subscribe(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (self->slow_subscribe == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "core is not bound to a store");
        return NULL;
    }
    if (kwnames != NULL || nargs < 1 || nargs > 2) {
        return PyObject_Vectorcall(self->slow_subscribe, args, nargs, kwnames);
    }
    PyObject *event = args[0];
    PyObject *ctx = nargs == 2 ? args[1] : Py_None;
    if (!plain_ctx(self, ctx) || !plain_event(self, event)) {
        return PyObject_Vectorcall(self->slow_subscribe, args, nargs, NULL);
    }
    PyObject *captured = PyContext_CopyCurrent();
    if (captured == NULL) {
        return NULL;
    }
    PyObject *record = PyTuple_Pack(3, event, ctx, captured);
    Py_DECREF(captured);
    if (record == NULL) {
        return NULL;
    }
    core_lock(self);
    int full = (Py_ssize_t)(self->head - self->tail) == self->capacity;
    if (self->closed || (full && !self->drop_oldest) || has_returned(self)) {
        core_unlock(self);
        Py_DECREF(record);
        return PyObject_Vectorcall(self->slow_subscribe, args, nargs, NULL);
    }
    size_t index = self->head & self->mask;
    PyObject *dropped = self->slots[index];
    self->slots[index] = record;
    self->head++;
    if (full) {
        self->tail++;
        self->dropped++;
    }
    self->published++;
    core_unlock(self);
    Py_XDECREF(dropped);
    Py_RETURN_NONE;
}

static PyObject *
core_subscribe_many(Core *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (self->slow_many == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "core is not bound to a store");
        return NULL;
    }
    if (kwnames != NULL || nargs < 1 || nargs > 2 || !PyList_CheckExact(args[0])) {
        return PyObject_Vectorcall(self->slow_many, args, nargs, kwnames);
    }
    PyObject *ctx = nargs == 2 ? args[1] : Py_None;
    if (!plain_ctx(self, ctx) || PyList_GET_SIZE(args[0]) > self->capacity) {
        return PyObject_Vectorcall(self->slow_many, args, nargs, NULL);
    }
    /* our own copy: a projection's __hash__ or a collection may change the caller's */
    PyObject *events = PyList_GetSlice(args[0], 0, PyList_GET_SIZE(args[0]));
    if (events == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(events);
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!plain_event(self, PyList_GET_ITEM(events, i))) {
            Py_DECREF(events);
            return PyObject_Vectorcall(self->slow_many, args, nargs, NULL);
        }
    }
    PyObject **records = PyMem_Malloc(sizeof(PyObject *) * (size_t)(count ? count : 1));
    PyObject *captured = records ? PyContext_CopyCurrent() : NULL;
    if (captured == NULL) {
        Py_DECREF(events);
        PyMem_Free(records);
        return records ? NULL : PyErr_NoMemory();
    }
    Py_ssize_t built = 0;
    for (; built < count; built++) {
        records[built] = PyTuple_Pack(3, PyList_GET_ITEM(events, built), ctx, captured);
        if (records[built] == NULL) {
            break;
        }
    }
    Py_DECREF(captured);
    Py_DECREF(events);
    if (built < count) {
        for (Py_ssize_t i = 0; i < built; i++) {
            Py_DECREF(records[i]);
        }
        PyMem_Free(records);
        return NULL;
    }
    core_lock(self);
    Py_ssize_t overflow = (Py_ssize_t)(self->head - self->tail) + count - self->capacity;
    if (self->closed || (overflow > 0 && !self->drop_oldest) || has_returned(self)) {
        core_unlock(self);
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_DECREF(records[i]);
        }
        PyMem_Free(records);
        return PyObject_Vectorcall(self->slow_many, args, nargs, NULL);
    }
    /* A DROP_OLDEST overflow's dropped slots are exactly those overwritten here;
     * the overwritten references are parked in ``records`` until the lock is free. */
    for (Py_ssize_t i = 0; i < count; i++) {
        size_t index = (self->head + (size_t)i) & self->mask;
        PyObject *old = self->slots[index];
        self->slots[index] = records[i];
        records[i] = old;
    }
    self->head += (size_t)count;
    if (overflow > 0) {
        self->tail += (size_t)overflow;
        self->dropped += overflow;
    }
    self->published += count;
    core_unlock(self);
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_XDECREF(records[i]);
    }
    PyMem_Free(records);
    return PyLong_FromSsize_t(count);
}

/* Put records [from, count) back in front of everything pending, then drop ours. */
static void
hand_back_rest(Core *self, PyObject **batch, Py_ssize_t from, Py_ssize_t count)
{
    PyObject *exc_type, *exc_value, *exc_tb;
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    PyObject *rest = PyList_New(count - from);
    if (rest != NULL) {
        for (Py_ssize_t i = from; i < count; i++) {
            Py_INCREF(batch[i]);
            PyList_SET_ITEM(rest, i - from, batch[i]);
        }
        PyObject *done = PyObject_CallOneArg(self->hand_back, rest);
        Py_XDECREF(done);
        Py_DECREF(rest);
    }
    if (PyErr_Occurred()) {
        PyErr_WriteUnraisable(self->hand_back);
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

static PyObject *
core_publish(Core *self, PyObject *Py_UNUSED(ignored))
{
    if (self->slow_publish == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "core is not bound to a store");
        return NULL;
    }
    core_lock(self);
    if (self->closed || self->async_mode || self->room_waiters || has_returned(self)) {
        core_unlock(self);
        return PyObject_CallNoArgs(self->slow_publish);
    }
    Py_ssize_t count = (Py_ssize_t)(self->head - self->tail);
    if (count == 0) {
        core_unlock(self);
        Py_RETURN_NONE;
    }
    PyObject **batch = PyMem_RawMalloc(sizeof(PyObject *) * (size_t)count);
    if (batch == NULL) {
        core_unlock(self);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        size_t index = (self->tail + (size_t)i) & self->mask;
        batch[i] = self->slots[index];
        self->slots[index] = NULL;
    }
    self->tail = self->head;
    core_unlock(self);

    long long processed = 0, errors = 0, unhandled = 0;
    Py_ssize_t i = 0;
    int interrupted = 0;
    for (; i < count; i++) {
        PyObject *event = PyTuple_GET_ITEM(batch[i], 0);
        PyObject *ctx = PyTuple_GET_ITEM(batch[i], 1);
        processed++; /* first, so that an interrupt finds its event counted */
        PyObject *args = slot_of(event, self->args_offset);
        if (!self->bare || (args != NULL && args != Py_None && !PyDict_CheckExact(args))) {
            PyObject *call[2] = {event, ctx};
            PyObject *outcome = PyObject_Vectorcall(self->deliver, call, 2, NULL);
            if (outcome == NULL) {
                interrupted = 1;
                break;
            }
            if (outcome == self->unhandled_mark) {
                processed--;
                unhandled++;
            }
            else if (outcome != Py_None) {
                errors++;
            }
            Py_DECREF(outcome);
            continue;
        }
        PyObject *projection = slot_of(event, self->projection_offset);
        if (projection == NULL) {
            projection = Py_None;
        }
        PyObject *handler;
        if (PyDict_CheckExact(self->dispatcher)) {
            handler = PyDict_GetItemWithError(self->dispatcher, projection);
            if (handler == NULL && !PyErr_Occurred()) {
                handler = Py_None;
            }
            Py_XINCREF(handler); /* a handler may change the dispatcher */
        }
        else {
            handler = PyObject_Vectorcall(self->lookup, &projection, 1, NULL);
        }
        if (handler == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_Exception)) {
                interrupted = 1;
                break;
            }
            PyErr_Clear();
            errors++;
            continue;
        }
        if (handler == Py_None) {
            Py_DECREF(handler);
            processed--;
            unhandled++;
            continue;
        }
        if (args == NULL || args == Py_None) {
            args = PyDict_New();
        }
        else {
            Py_INCREF(args);
            PyObject *override = PyDict_GetItemWithError(args, self->ctx_key);
            if (override != NULL &&
                PyObject_TypeCheck(override, (PyTypeObject *)self->context_type)) {
                ctx = override;
            }
            PyErr_Clear(); /* only a pathological key (an __eq__ that raises) gets here */
        }
        if (args == NULL) {
            Py_DECREF(handler);
            interrupted = 1;
            break;
        }
        PyObject *call[2] = {ctx == Py_None ? self->background : ctx, args};
        PyObject *result = PyObject_Vectorcall(handler, call, 2, NULL);
        Py_DECREF(args);
        Py_DECREF(handler);
        if (result == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_Exception)) {
                interrupted = 1;
                break;
            }
            PyErr_Clear();
            errors++;
            continue;
        }
        if (PyCoro_CheckExact(result)) {
            PyObject *refused = PyObject_CallOneArg(self->refuse, result);
            if (refused == NULL) {
                Py_DECREF(result);
                interrupted = 1;
                break;
            }
            Py_DECREF(refused);
            errors++;
        }
        Py_DECREF(result);
    }
    if (interrupted) {
        hand_back_rest(self, batch, i + 1, count);
    }
    core_lock(self);
    self->processed += processed;
    self->errors += errors;
    self->unhandled += unhandled;
    core_unlock(self);
    for (Py_ssize_t j = 0; j < count; j++) {
        Py_DECREF(batch[j]);
    }
    PyMem_RawFree(batch);
    if (interrupted) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* -- binding, lifetime --------------------------------------------------------- */

static int
member_offset(PyObject *type, const char *name, Py_ssize_t *offset)
{
    PyObject *descr = PyObject_GetAttrString(type, name);
    if (descr == NULL) {
        return -1;
    }
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type) ||
        ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX) {
        Py_DECREF(descr);
        PyErr_Format(PyExc_TypeError, "Event.%s must be a slot", name);
        return -1;
    }
    *offset = ((PyMemberDescrObject *)descr)->d_member->offset;
    Py_DECREF(descr);
    return 0;
}

static PyObject *
core_bind(Core *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {
        "returned", "lookup", "subscribe", "subscribe_many", "publish", "deliver",
        "hand_back", "unhandled", "refuse", "event_type", "context_type", "background",
        "dispatcher", NULL,
    };
    PyObject *o[13];
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$OOOOOOOOOOOOO:bind", keywords, &o[0],
                                     &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8],
                                     &o[9], &o[10], &o[11], &o[12])) {
        return NULL;
    }
    if (!PyType_Check(o[9]) || !PyType_Check(o[10])) {
        PyErr_SetString(PyExc_TypeError, "event_type and context_type must be types");
        return NULL;
    }
    if (member_offset(o[9], "args", &self->args_offset) < 0 ||
        member_offset(o[9], "projection", &self->projection_offset) < 0) {
        return NULL;
    }
    PyObject **fields[13] = {
        &self->returned, &self->lookup, &self->slow_subscribe, &self->slow_many,
        &self->slow_publish, &self->deliver, &self->hand_back, &self->unhandled_mark,
        &self->refuse, &self->event_type, &self->context_type, &self->background,
        &self->dispatcher,
    };
    for (int i = 0; i < 13; i++) {
        Py_INCREF(o[i]);
        Py_XSETREF(*fields[i], o[i]);
    }
    Py_RETURN_NONE;
}

static int
core_init(Core *self, PyObject *args, PyObject *kwargs)
{
    Py_ssize_t capacity;
    static char *keywords[] = {"capacity", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n:Core", keywords, &capacity)) {
        return -1;
    }
    if (capacity < 1 || (capacity & (capacity - 1))) {
        PyErr_Format(PyExc_ValueError, "ring capacity must be a power of two, got %zd", capacity);
        return -1;
    }
    if (self->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Core is already initialised");
        return -1;
    }
    self->slots = PyMem_Calloc((size_t)capacity, sizeof(PyObject *));
    if (self->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->ctx_key = PyUnicode_InternFromString("__ctx");
    if (self->ctx_key == NULL) {
        return -1;
    }
    self->capacity = capacity;
    self->mask = (size_t)capacity - 1;
    self->bare = 1;
    self->drop_oldest = 1;
    return 0;
}

static int
core_traverse(Core *self, visitproc visit, void *arg)
{
    Py_VISIT(self->returned);
    Py_VISIT(self->lookup);
    Py_VISIT(self->dispatcher);
    Py_VISIT(self->slow_subscribe);
    Py_VISIT(self->slow_many);
    Py_VISIT(self->slow_publish);
    Py_VISIT(self->deliver);
    Py_VISIT(self->hand_back);
    Py_VISIT(self->unhandled_mark);
    Py_VISIT(self->refuse);
    Py_VISIT(self->event_type);
    Py_VISIT(self->context_type);
    Py_VISIT(self->background);
    if (self->slots != NULL) {
        for (size_t position = self->tail; position != self->head; position++) {
            Py_VISIT(self->slots[position & self->mask]);
        }
    }
    return 0;
}

static int
core_clear(Core *self)
{
    Py_CLEAR(self->returned);
    Py_CLEAR(self->lookup);
    Py_CLEAR(self->dispatcher);
    Py_CLEAR(self->slow_subscribe);
    Py_CLEAR(self->slow_many);
    Py_CLEAR(self->slow_publish);
    Py_CLEAR(self->deliver);
    Py_CLEAR(self->hand_back);
    Py_CLEAR(self->unhandled_mark);
    Py_CLEAR(self->refuse);
    Py_CLEAR(self->event_type);
    Py_CLEAR(self->context_type);
    Py_CLEAR(self->background);
    if (self->slots != NULL) {
        for (size_t position = self->tail; position != self->head; position++) {
            Py_CLEAR(self->slots[position & self->mask]);
        }
        self->tail = self->head;
    }
    return 0;
}

static void
core_dealloc(Core *self)
{
    PyObject_GC_UnTrack(self);
    core_clear(self);
    Py_CLEAR(self->ctx_key);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef core_methods[] = {
    {"acquire", (PyCFunction)(void (*)(void))core_acquire, METH_VARARGS | METH_KEYWORDS,
     "acquire(blocking=True, timeout=-1): take the store's lock, like threading.Lock"},
    {"release", (PyCFunction)core_release, METH_NOARGS, "release the store's lock"},
    {"locked", (PyCFunction)core_locked, METH_NOARGS, "whether the lock is held"},
    {"__enter__", (PyCFunction)core_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)(void (*)(void))core_exit, METH_FASTCALL, NULL},
    {"offer", (PyCFunction)core_offer, METH_O, "append if there is room (lock held)"},
    {"pop_oldest", (PyCFunction)core_pop_oldest, METH_NOARGS, "remove the oldest (lock held)"},
    {"extend", (PyCFunction)core_extend, METH_O, "append a list's items (lock held, room made)"},
    {"drop", (PyCFunction)core_drop, METH_O, "discard the oldest count items (lock held)"},
    {"take_all", (PyCFunction)core_take_all, METH_NOARGS, "remove everything (lock held)"},
    {"subscribe", (PyCFunction)(void (*)(void))core_subscribe, METH_FASTCALL | METH_KEYWORDS,
     "subscribe($self, event, ctx=None)\n--\n\nthe store's subscribe"},
    {"subscribe_many", (PyCFunction)(void (*)(void))core_subscribe_many,
     METH_FASTCALL | METH_KEYWORDS,
     "subscribe_many($self, events, ctx=None)\n--\n\nthe store's subscribe_many"},
    {"publish", (PyCFunction)core_publish, METH_NOARGS, "publish($self)\n--\n\nthe store's publish"},
    {"bind", (PyCFunction)(void (*)(void))core_bind, METH_VARARGS | METH_KEYWORDS,
     "bind the core to its store's Python objects"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef core_members[] = {
    {"capacity", T_PYSSIZET, offsetof(Core, capacity), READONLY, NULL},
    {"published", T_LONGLONG, offsetof(Core, published), 0, NULL},
    {"dropped", T_LONGLONG, offsetof(Core, dropped), 0, NULL},
    {"processed", T_LONGLONG, offsetof(Core, processed), 0, NULL},
    {"errors", T_LONGLONG, offsetof(Core, errors), 0, NULL},
    {"unhandled", T_LONGLONG, offsetof(Core, unhandled), 0, NULL},
    {"closed", T_BOOL, offsetof(Core, closed), 0, NULL},
    {"drop_oldest", T_BOOL, offsetof(Core, drop_oldest), 0, NULL},
    {"bare", T_BOOL, offsetof(Core, bare), 0, NULL},
    {"async_mode", T_BOOL, offsetof(Core, async_mode), 0, NULL},
    {"room_waiters", T_PYSSIZET, offsetof(Core, room_waiters), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PySequenceMethods core_as_sequence = {
    .sq_length = (lenfunc)core_len,
};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "goeventbus_variants._native.Core",
    .tp_doc = PyDoc_STR("Core(capacity): the ring, hot counters and lock of one native store"),
    .tp_basicsize = sizeof(Core),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)core_init,
    .tp_dealloc = (destructor)core_dealloc,
    .tp_traverse = (traverseproc)core_traverse,
    .tp_clear = (inquiry)core_clear,
    .tp_methods = core_methods,
    .tp_members = core_members,
    .tp_as_sequence = &core_as_sequence,
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "goeventbus_variants._native",
    .m_doc = "The compiled core of the native EventStore variant.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    if (PyType_Ready(&CoreType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&native_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&CoreType);
    if (PyModule_AddObject(module, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(&CoreType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
