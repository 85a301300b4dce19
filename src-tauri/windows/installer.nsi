; CertoPay Keys for Windows: a per-user installer (no administrator rights: office staff rarely
; have them). Built by scripts/windows-package.sh with Debian's makensis, which passes:
;   /DAPP_EXE=...  the app (certopay-keys.exe)     /DWEBVIEW2_LOADER=...  WebView2Loader.dll
;   /DAPP_ICON=... icons/icon.ico                   /DVERSION=0.1.0       /DOUT_FILE=... the installer
;   /DSIGN_COMMAND=... scripts/windows/sign.sh, when a certificate is given: the installer and
;                      the uninstaller it carries are signed as NSIS writes them
;
; The app's update runs it as `setup.exe /S /UPDATE`: silent, and /UPDATE waits (30 s at most)
; for the app that started it to close, then starts the new version when it is done.
;
; WebView2: the window needs Microsoft's WebView2 Runtime, part of Windows 10 (since 2021
; updates) and 11. The installer does not download or carry it: a silent install must finish
; offline and behind company proxies, and the offline runtime is ~130 MB against an app of a
; few. It looks for the runtime and, if absent, says so (not in a silent install) and installs
; anyway; IT deploys the runtime with Microsoft's own installer.

Unicode true
Target amd64-unicode
; make test's check of a debug build passes /DFAST_COMPRESSION: zlib is many times faster.
!ifdef FAST_COMPRESSION
  SetCompressor zlib
!else
  SetCompressor /SOLID lzma
!endif
RequestExecutionLevel user
ManifestDPIAware true

!ifdef SIGN_COMMAND
  !finalize '"${SIGN_COMMAND}" "%1"' = 0
  !uninstfinalize '"${SIGN_COMMAND}" "%1"' = 0
!endif

!define PRODUCT "CertoPay Keys"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\CertoPayKeys"
; Microsoft's documented registry check for the Evergreen WebView2 Runtime.
!define WEBVIEW2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!define MUI_ICON "${APP_ICON}"
!define MUI_UNICON "${APP_ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\certopay-keys.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; The first language is the fallback; Windows' own display language picks between them.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "PortugueseBR"

LangString SHORTCUT_DESCRIPTION ${LANG_ENGLISH} "See and rotate your CertoPay API key safely"
LangString SHORTCUT_DESCRIPTION ${LANG_PORTUGUESEBR} "Veja e troque sua chave de API da CertoPay com segurança"
LangString NO_WEBVIEW2 ${LANG_ENGLISH} "CertoPay Keys needs the Microsoft Edge WebView2 Runtime, which Windows 10 and 11 include, and it was not found on this computer. CertoPay Keys is installed; ask your IT team to install the WebView2 Runtime (developer.microsoft.com/microsoft-edge/webview2), then open it."
LangString NO_WEBVIEW2 ${LANG_PORTUGUESEBR} "O CertoPay Keys precisa do Microsoft Edge WebView2 Runtime, que vem com o Windows 10 e 11, e ele não foi encontrado neste computador. O CertoPay Keys foi instalado; peça à sua equipe de TI que instale o WebView2 Runtime (developer.microsoft.com/microsoft-edge/webview2) e depois abra-o."

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${PRODUCT} installer"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "CertoPay"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "MIT licence"

Var UPDATE

Function .onInit
  ; The 64-bit view of the registry: the app is 64-bit.
  SetRegView 64
  StrCpy $UPDATE 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/UPDATE" $R1
  ${IfNot} ${Errors}
    StrCpy $UPDATE 1
  ${EndIf}
FunctionEnd

; An update is started by the app, which then quits: its file can be replaced once it has.
Function WaitForTheApp
  ${IfNot} ${FileExists} "$INSTDIR\certopay-keys.exe"
    Return
  ${EndIf}
  StrCpy $R2 0
  ${Do}
    ClearErrors
    FileOpen $R3 "$INSTDIR\certopay-keys.exe" a
    ${IfNot} ${Errors}
      FileClose $R3
      Return
    ${EndIf}
    IntOp $R2 $R2 + 1
    ${If} $R2 >= 150
      Return
    ${EndIf}
    Sleep 200
  ${Loop}
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "CertoPay Keys"
  SetOutPath "$INSTDIR"
  ${If} $UPDATE == 1
    Call WaitForTheApp
  ${EndIf}
  File "/oname=certopay-keys.exe" "${APP_EXE}"
  File "/oname=WebView2Loader.dll" "${WEBVIEW2_LOADER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\certopay-keys.exe" "" "$INSTDIR\certopay-keys.exe" 0 SW_SHOWNORMAL "" "$(SHORTCUT_DESCRIPTION)"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "CertoPay"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\certopay-keys.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  ; The runtime, per machine or per user; "0.0.0.0" or nothing means absent.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    DetailPrint "WebView2 Runtime: not found"
    MessageBox MB_OK|MB_ICONINFORMATION "$(NO_WEBVIEW2)" /SD IDOK
  ${Else}
    DetailPrint "WebView2 Runtime: $0"
  ${EndIf}

  ${If} $UPDATE == 1
    Exec '"$INSTDIR\certopay-keys.exe"'
  ${EndIf}
SectionEnd

; Removes what the installer put there. The user's settings and rotation history (in their
; AppData\Roaming\com.certopay.keys) stay, as a reinstall expects; they hold no secret.
Section "Uninstall"
  Delete "$INSTDIR\certopay-keys.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  ; This runs from NSIS's copy in Temp, started by the uninstaller in $INSTDIR, which does not
  ; wait for it: until that one has exited its file cannot be deleted (a running program's
  ; file is kept), so the delete is tried again, for 10 s at most.
  StrCpy $R0 0
  ${Do}
    Delete "$INSTDIR\uninstall.exe"
    ${If} ${FileExists} "$INSTDIR\uninstall.exe"
    ${AndIf} $R0 < 100
      IntOp $R0 $R0 + 1
      Sleep 100
    ${Else}
      ${Break}
    ${EndIf}
  ${Loop}
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
