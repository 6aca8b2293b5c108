/**
 * Symbol names as people read them: a backtrace or profile of a module built from Rust or C++ shows
 * `core::fmt::write` or `std::vector<int, std::allocator<int> >::push_back(int const&)` instead of
 * `_ZN4core3fmt5write17h…E` or `_ZNSt6vectorIiSaIiEE9push_backERKi`. Rust's legacy and v0 manglings
 * (demangle_rust.ts) and the Itanium C++ ABI's (demangle_itanium.ts); anything else, or a mangled
 * name of a form these do not read, comes back as it was.
 */
import { demangleRustLegacy, demangleRustV0 } from "./demangle_rust.ts";
import { demangleItanium } from "./demangle_itanium.ts";

/** `name` demangled, or `name` itself when it is not a mangled name read here. Never throws. */
export function demangle(name: string): string {
  if (!/^_{1,2}[ZR]/.test(name)) return name;
  try {
    // A legacy Rust name is Itanium-shaped: it is told apart by its hash or its `$` escapes.
    return demangleRustLegacy(name) ?? demangleRustV0(name) ?? demangleItanium(name) ?? name;
  } catch {
    return name; // a bug here must not cost the user the backtrace
  }
}
