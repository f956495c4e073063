from edgepac.cli import main

raise SystemExit(main())
