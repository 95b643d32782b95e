#!/usr/bin/env bash
# macOS: the .app (from the same PyInstaller spec) in a .dmg for council IT.
#   python3 installers/dev.py bundle            # makes dist/rbsw-desktop.app
#   bash installers/macos/build_dmg.sh          # makes dist/rbsw-desktop.dmg
# Before wide deployment IT signs and notarises it (needs the council's Apple Developer ID):
#   codesign --deep --force --options runtime --sign "Developer ID Application: COUNCIL" dist/rbsw-desktop.app
#   xcrun notarytool submit dist/rbsw-desktop.dmg --keychain-profile COUNCIL --wait
#   xcrun stapler staple dist/rbsw-desktop.dmg
# Silent deployment: MDM (Jamf, Intune) copies the .app to /Applications and pushes
# /Library/Application Support/rbsw-desktop/policy.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
test -d dist/rbsw-desktop.app || { echo "Build the bundle first: python3 installers/dev.py bundle" >&2; exit 2; }
rm -f dist/rbsw-desktop.dmg
hdiutil create -volname rbsw-desktop -srcfolder dist/rbsw-desktop.app -ov -format UDZO dist/rbsw-desktop.dmg
echo dist/rbsw-desktop.dmg
