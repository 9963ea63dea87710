/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-links.h: a recording's call-to-packet links as text, the form of
 * the golden files in tests/fixtures/correlation/ (see its README). */
#pragma once

#include "cap-recording.h"

void sl_test_format_links (CapRecording *recording,
                           GString      *out);
