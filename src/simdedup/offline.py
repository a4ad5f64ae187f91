"""Keep the libraries simdedup drives off the network: no downloads, no telemetry.

simdedup itself opens no sockets, but some of the libraries it runs would, left to their
defaults: ONNX Runtime's official builds start a telemetry uploader (1DS, to
``mobile.events.data.microsoft.com``) when the module is imported, which first tries to connect
about ten seconds later and keeps retrying, and keep a device id and an event queue under
``$XDG_CACHE_HOME/Microsoft/DeveloperTools/``; the Hugging Face libraries check the Hub and send
telemetry unless told they are offline. :func:`stay_offline` sets each library's own switch,
with :func:`os.environ.setdefault` (a value the user set is kept). It is called right before
every import of those libraries (the ONNX export and runtime, the claim-model merge, the torch
backend, the static distillation), so it holds for library users as well as the CLI.

Most switches are read once, when their library is first imported or initialised: a library
the process imported before simdedup ran keeps the settings it started with. For ONNX Runtime,
whose ``ORT_DISABLE_TELEMETRY`` works only if set before ``import onnxruntime``,
:func:`import_onnxruntime` also calls ``onnxruntime.disable_telemetry_events()``, which is all
that can still be done then (it stops new events, not the uploader).
"""

from __future__ import annotations

import contextlib
import os
import sys
from types import ModuleType

#: Environment switches set (unless already set) before a networked library is imported.
SWITCHES: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",  # ONNX Runtime: no 1DS uploader, events or device id
    "HF_HUB_OFFLINE": "1",  # huggingface_hub: no Hub requests (models load from disk)
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub: no telemetry pings
    "TRANSFORMERS_OFFLINE": "1",  # transformers, for versions that read it themselves
    "HF_DATASETS_OFFLINE": "1",  # datasets, should anything import it
    "DO_NOT_TRACK": "1",  # the cross-tool convention (huggingface_hub and others honour it)
}


def stay_offline() -> None:
    """Set the libraries' offline and no-telemetry switches (:data:`SWITCHES`), keeping any
    the user set; tell an ONNX Runtime that is already imported to stop its telemetry events.

    Cheap and idempotent: imports nothing."""
    for name, value in SWITCHES.items():
        os.environ.setdefault(name, value)
    ort = sys.modules.get("onnxruntime")
    if ort is not None:
        _disable_ort_events(ort)


def import_onnxruntime() -> ModuleType:
    """``onnxruntime``, imported with its telemetry off (see the module docstring)."""
    stay_offline()
    import onnxruntime

    module: ModuleType = onnxruntime
    _disable_ort_events(module)
    return module


def _disable_ort_events(ort: ModuleType) -> None:
    disable = getattr(ort, "disable_telemetry_events", None)
    if callable(disable):
        with contextlib.suppress(Exception):  # a build without telemetry may refuse
            disable()
