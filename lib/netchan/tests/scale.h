/* SPDX-License-Identifier: MIT */
/*
 * Stress-test sizes: STRESS_SCALE (meson option stress_scale) times the
 * default, and a tenth of that in sanitizer builds, which run 5-50 times
 * slower and must still finish in CI's time limit.
 */
#ifndef NETCHAN_TESTS_SCALE_H
#define NETCHAN_TESTS_SCALE_H

#ifndef STRESS_SCALE
#define STRESS_SCALE 1
#endif

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define NT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define NT_SANITIZED 1
#endif
#endif
#ifndef NT_SANITIZED
#define NT_SANITIZED 0
#endif

#define NT_STRESS(n) ((n) * (STRESS_SCALE) / (NT_SANITIZED ? 10 : 1))

#endif
