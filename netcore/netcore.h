/* SPDX-License-Identifier: GPL-3.0-or-later */
/* netcore.h: everything a scenario or a consumer of netcore needs. */
#pragma once

#include "nc-call.h"
#include "nc-example.h"
#include "nc-format.h"
#include "nc-gate.h"
#include "nc-i18n.h"
#include "nc-recorder.h"
#include "nc-report.h"
#include "nc-run.h"
#include "nc-scenario.h"
#include "nc-server.h"
#include "nc-socket.h"
