// Opening an embedded SQLite database the way every Parley store does: parent folder created,
// serialized (FULLMUTEX) connection, a busy timeout, WAL journal. Start-up only; thread-safe.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/result.h"

namespace parley::store {

// `what` names the store in errors ("session store", "knowledge store"). The caller owns the
// returned connection (sqlite3_close). synchronous=NORMAL survives a killed process; FULL (with
// `fsync_each_commit`) also survives losing power.
Result<sqlite3*> OpenSqlite(const std::string& path, const std::string& what,
                            bool fsync_each_commit = false);

}  // namespace parley::store
