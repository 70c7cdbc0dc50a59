"""The benchmark harness of leanix: runs every client against one lx-sandbox and reports."""
