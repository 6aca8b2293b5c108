/**
 * Objects of the host's own WebAssembly (V8's) that our instances share, adopted by `api/foreign.ts`:
 * a built-in Memory whose bytes one of our memories views, a mutable built-in Global whose value one
 * of our cells mirrors. V8 or JS code may change them whenever it runs, which is only while our engine
 * is not running: so their state is brought in (`pullForeign`) whenever control enters the engine (a
 * call from JS, the return of a host call, a JSPI resumption) and sent out (`pushForeign`) whenever it
 * leaves (back to JS, into a host call). Until the first adoption `foreignLinks` is 0 and each of those
 * crossings costs one comparison.
 */

/** One adopted object: how to bring its state in, and (when JS can see a copy of ours) send ours out. */
export interface ForeignLink {
  pull(): void;
  push?(): void;
}

// Weak: a link lives as long as the runtime object it serves (api/foreign.ts keeps it by that object).
const links: WeakRef<ForeignLink>[] = [];

/** Links registered (some may be dead until the next job's first crossing drops them). */
export let foreignLinks = 0;

/**
 * The live links, held strongly until the current job ends: `deref` costs about 30 ns (it keeps its
 * target alive until then anyway), too much for every host call, so it runs once per job.
 */
let live: { pulls: ForeignLink[]; pushes: ForeignLink[] } | null = null;

function liveLinks(): { pulls: ForeignLink[]; pushes: ForeignLink[] } {
  if (live !== null) return live;
  const now: { pulls: ForeignLink[]; pushes: ForeignLink[] } = { pulls: [], pushes: [] };
  let kept = 0;
  for (const ref of links) {
    const link = ref.deref();
    if (link === undefined) continue;
    links[kept++] = ref;
    now.pulls.push(link);
    if (link.push !== undefined) now.pushes.push(link);
  }
  links.length = kept, foreignLinks = kept;
  queueMicrotask(() => live = null);
  return live = now;
}

export function linkForeign(link: ForeignLink): void {
  links.push(new WeakRef(link));
  foreignLinks = links.length;
  if (live !== null) {
    live.pulls.push(link);
    if (link.push !== undefined) live.pushes.push(link);
  }
}

/** Brings in what V8 or JS changed since the engine last ran. */
export function pullForeign(): void {
  const pulls = liveLinks().pulls;
  for (let i = 0; i < pulls.length; i++) pulls[i].pull();
}

/** Sends out what the engine changed, before JS or V8 code can look. */
export function pushForeign(): void {
  const pushes = liveLinks().pushes;
  for (let i = 0; i < pushes.length; i++) pushes[i].push!();
}
