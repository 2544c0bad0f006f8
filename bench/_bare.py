"""The anchor of the HTTP benchmark: a bare FastAPI POST endpoint under uvicorn.

    python -m bench._bare --port 8123

It reads the same JSON body ``handoff serve`` gets on ``POST /v1/actions`` (parsed by
FastAPI, as ours is) and answers a small JSON object, with no work in between: what the
framework and the server cost on their own. It runs under ``uvicorn.run`` with the
settings ``handoff serve`` uses, so the ratio measures handoff's own work per request.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI(title="bare")
_ids = itertools.count()


@app.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/actions")
def submit(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"id": f"h_{next(_ids)}", "state": "pending"}, status_code=202)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench._bare")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    # The same settings as ``handoff serve`` (see handoff/cli/_serve.py).
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info", proxy_headers=True)


if __name__ == "__main__":
    main()
