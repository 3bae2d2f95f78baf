// The module Web Worker of `<onething-wizard worker>`: the engine (engine.js) answering the
// element's calls, so that compiling a bundle and evaluating never block the page. A state
// goes out with only its changed fields whole; a field that is the same object as in the
// last state sent goes as its key (the page keeps the object: workerDriver in engine.js).

import { Engine, plainError } from './engine.js';

const engine = new Engine();
let ready = Promise.resolve();
let sent = new Map();

/** The state with every field unchanged since the last one sent replaced by its key. */
function slim(state) {
  const now = new Map();
  const steps = state.steps.map((step) => ({
    ...step,
    fields: step.fields.map((f) => {
      now.set(f.key, f);
      return sent.get(f.key) === f ? f.key : f;
    }),
  }));
  sent = now;
  return { ...state, steps };
}

const OPS = {
  ready: (wasm) => { ready = Engine.ready(wasm ?? undefined); return ready.then(() => null); },
  open: (options) => { sent = new Map(); const a = engine.open(options); return { ...a, state: slim(a.state) }; },
  call: (method, args) => { const a = engine.call(method, args); return { ...a, state: slim(a.state) }; },
  save: () => engine.save(),
  submission: () => engine.submission(),
  submit: (lang) => engine.submit(lang),
  notice: (lang, submission) => engine.notice(lang, submission),
};

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const op = OPS[data.op];
    if (!op) throw new Error(`unknown operation ${data.op}`);
    self.postMessage({ id: data.id, value: await op(...data.args) });
  } catch (e) {
    self.postMessage({ id: data.id, error: plainError(e) });
  }
};
