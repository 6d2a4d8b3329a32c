"""``portfolio-check serve``: a local web page that checks portfolios as ``check -o`` and ``batch`` do.

- `settings`: what the server was asked for (address, token, limits) and the checks that refuse an
  unsafe start (another computer's address without ``--allow-network`` and an access token);
- `runs`: the queue of uploaded portfolios on the worker limit ``batch --jobs`` uses, each checked in
  a worker process by the same pipeline as ``check -o`` (one portfolio) or ``batch`` (an export), and
  its private folder deleted once its report is no longer kept;
- `uploads`: a multipart upload streamed into a run's private folder, refused past the size limit;
- `security`: sessions, the upload form's anti-forgery token, Host and Origin checks, response headers;
- `app`: the Starlette application (pages, status, downloads); `server`: uvicorn, start-up and shut-down.

Only `app` and `server` import the web stack (Starlette, uvicorn), and only the ``serve`` command
imports them, so ``portfolio-check --help`` stays as quick as before. The web layer decides nothing:
verdicts, findings and reports come from the pipeline, unchanged.
"""
