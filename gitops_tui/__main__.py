from gitops_tui.cli import main

raise SystemExit(main())
