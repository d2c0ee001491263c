#include "E2ETestUtil.h"
