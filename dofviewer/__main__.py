from dofviewer.cli import main

raise SystemExit(main())
