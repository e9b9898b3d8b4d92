# ruff: noqa: E501 -- translated sentences are data, kept on one line each
"""Translations of the user-flow pages and emails, applied to the .po files by
`python locale/translations.py` after `manage.py makemessages` (strings that allauth
already translates are left to allauth's catalogs). Then `manage.py compilemessages`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

T: dict[str, dict[str, str]] = {
    "No account?": {
        "fr": "Pas de compte ?",
        "de": "Noch kein Konto?",
        "es": "¿No tiene cuenta?",
        "ja": "アカウントをお持ちでない場合",
    },
    "Tell us about yourself": {
        "fr": "Parlez-nous de vous",
        "de": "Erzählen Sie uns von sich",
        "es": "Háblenos de usted",
        "ja": "お客様について教えてください",
    },
    "Continue": {"fr": "Continuer", "de": "Weiter", "es": "Continuar", "ja": "続行"},
    "App access": {
        "fr": "Accès des applications",
        "de": "App-Zugriff",
        "es": "Acceso de aplicaciones",
        "ja": "アプリのアクセス",
    },
    "Remove access": {
        "fr": "Retirer l'accès",
        "de": "Zugriff entfernen",
        "es": "Quitar acceso",
        "ja": "アクセスを削除",
    },
    "No app has access to your account.": {
        "fr": "Aucune application n'a accès à votre compte.",
        "de": "Keine App hat Zugriff auf Ihr Konto.",
        "es": "Ninguna aplicación tiene acceso a su cuenta.",
        "ja": "アカウントにアクセスできるアプリはありません。",
    },
    "Delete account": {
        "fr": "Supprimer le compte",
        "de": "Konto löschen",
        "es": "Eliminar cuenta",
        "ja": "アカウントを削除",
    },
    "Your profile and personal data are removed and every app loses access. This cannot be undone.": {
        "fr": "Votre profil et vos données personnelles sont supprimés et toutes les applications perdent l'accès. Cette action est irréversible.",
        "de": "Ihr Profil und Ihre persönlichen Daten werden entfernt, und alle Apps verlieren den Zugriff. Dies kann nicht rückgängig gemacht werden.",
        "es": "Se eliminan su perfil y sus datos personales y todas las aplicaciones pierden el acceso. No se puede deshacer.",
        "ja": "プロフィールと個人データが削除され、すべてのアプリがアクセスできなくなります。元に戻すことはできません。",
    },
    "I understand, delete my account": {
        "fr": "Je comprends, supprimer mon compte",
        "de": "Ich verstehe, mein Konto löschen",
        "es": "Entiendo, eliminar mi cuenta",
        "ja": "理解しました。アカウントを削除します",
    },
    "Account deleted": {
        "fr": "Compte supprimé",
        "de": "Konto gelöscht",
        "es": "Cuenta eliminada",
        "ja": "アカウントを削除しました",
    },
    "Your account and personal data were deleted.": {
        "fr": "Votre compte et vos données personnelles ont été supprimés.",
        "de": "Ihr Konto und Ihre persönlichen Daten wurden gelöscht.",
        "es": "Su cuenta y sus datos personales se han eliminado.",
        "ja": "アカウントと個人データは削除されました。",
    },
    "Someone tried to create an account with this email address, but you already have one. Sign in, or reset your password if you forgot it.": {
        "fr": "Quelqu'un a essayé de créer un compte avec cette adresse e-mail, mais vous en avez déjà un. Connectez-vous, ou réinitialisez votre mot de passe si vous l'avez oublié.",
        "de": "Jemand hat versucht, mit dieser E-Mail-Adresse ein Konto zu erstellen, aber Sie haben bereits eines. Melden Sie sich an oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben.",
        "es": "Alguien intentó crear una cuenta con esta dirección de correo, pero ya tiene una. Inicie sesión o restablezca su contraseña si la olvidó.",
        "ja": "このメールアドレスでアカウントを作成しようとした人がいますが、すでにアカウントをお持ちです。サインインするか、パスワードを忘れた場合はリセットしてください。",
    },
    "If it was not you, ignore this email.": {
        "fr": "Si ce n'était pas vous, ignorez cet e-mail.",
        "de": "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail.",
        "es": "Si no fue usted, ignore este correo.",
        "ja": "お心当たりがない場合は、このメールを無視してください。",
    },
    "You already have an account": {
        "fr": "Vous avez déjà un compte",
        "de": "Sie haben bereits ein Konto",
        "es": "Ya tiene una cuenta",
        "ja": "すでにアカウントをお持ちです",
    },
    "Use this code to verify your email address and create your account:": {
        "fr": "Utilisez ce code pour vérifier votre adresse e-mail et créer votre compte :",
        "de": "Verwenden Sie diesen Code, um Ihre E-Mail-Adresse zu bestätigen und Ihr Konto zu erstellen:",
        "es": "Use este código para verificar su correo y crear su cuenta:",
        "ja": "このコードでメールアドレスを確認し、アカウントを作成してください:",
    },
    "The code expires in 10 minutes. If you did not ask for it, ignore this email.": {
        "fr": "Le code expire dans 10 minutes. Si vous ne l'avez pas demandé, ignorez cet e-mail.",
        "de": "Der Code läuft in 10 Minuten ab. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail.",
        "es": "El código caduca en 10 minutos. Si no lo solicitó, ignore este correo.",
        "ja": "このコードの有効期限は10分です。心当たりがない場合は、このメールを無視してください。",
    },
    "Your verification code": {
        "fr": "Votre code de vérification",
        "de": "Ihr Bestätigungscode",
        "es": "Su código de verificación",
        "ja": "確認コード",
    },
    "Sign-in is needed": {
        "fr": "Connexion requise",
        "de": "Anmeldung erforderlich",
        "es": "Es necesario iniciar sesión",
        "ja": "サインインが必要です",
    },
    "Account": {"fr": "Compte", "de": "Konto", "es": "Cuenta", "ja": "アカウント"},
    "Profile": {"fr": "Profil", "de": "Profil", "es": "Perfil", "ja": "プロフィール"},
    "Save": {"fr": "Enregistrer", "de": "Speichern", "es": "Guardar", "ja": "保存"},
    "We sent a verification code to %(email)s. Enter it below.": {
        "fr": "Nous avons envoyé un code de vérification à %(email)s. Saisissez-le ci-dessous.",
        "de": "Wir haben einen Bestätigungscode an %(email)s gesendet. Geben Sie ihn unten ein.",
        "es": "Enviamos un código de verificación a %(email)s. Introdúzcalo a continuación.",
        "ja": "%(email)s に確認コードを送信しました。下に入力してください。",
    },
    "Start again": {
        "fr": "Recommencer",
        "de": "Neu beginnen",
        "es": "Empezar de nuevo",
        "ja": "最初からやり直す",
    },
    "Already have an account?": {
        "fr": "Vous avez déjà un compte ?",
        "de": "Sie haben bereits ein Konto?",
        "es": "¿Ya tiene una cuenta?",
        "ja": "すでにアカウントをお持ちですか?",
    },
    "Your profile was saved.": {
        "fr": "Votre profil a été enregistré.",
        "de": "Ihr Profil wurde gespeichert.",
        "es": "Se guardó su perfil.",
        "ja": "プロフィールを保存しました。",
    },
    "Access for %(app)s was removed.": {
        "fr": "L'accès de %(app)s a été retiré.",
        "de": "Der Zugriff für %(app)s wurde entfernt.",
        "es": "Se quitó el acceso de %(app)s.",
        "ja": "%(app)s のアクセスを削除しました。",
    },
    "Tick the box to confirm.": {
        "fr": "Cochez la case pour confirmer.",
        "de": "Kreuzen Sie das Kästchen zur Bestätigung an.",
        "es": "Marque la casilla para confirmar.",
        "ja": "確認のためチェックボックスをオンにしてください。",
    },
    "This app does not use passwords. Sign in with a code.": {
        "fr": "Cette application n'utilise pas de mot de passe. Connectez-vous avec un code.",
        "de": "Diese App verwendet keine Passwörter. Melden Sie sich mit einem Code an.",
        "es": "Esta aplicación no usa contraseñas. Inicie sesión con un código.",
        "ja": "このアプリではパスワードを使用しません。コードでサインインしてください。",
    },
    "Too many failed sign-in attempts. Try again in %(seconds)s seconds.": {
        "fr": "Trop de tentatives de connexion échouées. Réessayez dans %(seconds)s secondes.",
        "de": "Zu viele fehlgeschlagene Anmeldeversuche. Versuchen Sie es in %(seconds)s Sekunden erneut.",
        "es": "Demasiados intentos fallidos. Vuelva a intentarlo en %(seconds)s segundos.",
        "ja": "サインインの失敗が多すぎます。%(seconds)s 秒後にもう一度お試しください。",
    },
    "You must agree to continue.": {
        "fr": "Vous devez accepter pour continuer.",
        "de": "Sie müssen zustimmen, um fortzufahren.",
        "es": "Debe aceptar para continuar.",
        "ja": "続行するには同意が必要です。",
    },
    "That code is not valid. Check it and try again.": {
        "fr": "Ce code n'est pas valide. Vérifiez-le et réessayez.",
        "de": "Dieser Code ist ungültig. Prüfen Sie ihn und versuchen Sie es erneut.",
        "es": "Ese código no es válido. Compruébelo e inténtelo de nuevo.",
        "ja": "コードが正しくありません。確認してもう一度お試しください。",
    },
    "That code has expired. Start again to get a new one.": {
        "fr": "Ce code a expiré. Recommencez pour en obtenir un nouveau.",
        "de": "Dieser Code ist abgelaufen. Beginnen Sie neu, um einen neuen zu erhalten.",
        "es": "Ese código ha caducado. Empiece de nuevo para obtener otro.",
        "ja": "コードの有効期限が切れました。最初からやり直して新しいコードを取得してください。",
    },
    "Too many wrong codes. Start again to get a new one.": {
        "fr": "Trop de codes erronés. Recommencez pour en obtenir un nouveau.",
        "de": "Zu viele falsche Codes. Beginnen Sie neu, um einen neuen zu erhalten.",
        "es": "Demasiados códigos incorrectos. Empiece de nuevo para obtener otro.",
        "ja": "誤ったコードが多すぎます。最初からやり直して新しいコードを取得してください。",
    },
    "Too many attempts. Wait a few minutes and try again.": {
        "fr": "Trop de tentatives. Patientez quelques minutes et réessayez.",
        "de": "Zu viele Versuche. Warten Sie einige Minuten und versuchen Sie es erneut.",
        "es": "Demasiados intentos. Espere unos minutos e inténtelo de nuevo.",
        "ja": "試行回数が多すぎます。数分待ってからもう一度お試しください。",
    },
    "Verify your email first.": {
        "fr": "Vérifiez d'abord votre adresse e-mail.",
        "de": "Bestätigen Sie zuerst Ihre E-Mail-Adresse.",
        "es": "Verifique primero su correo.",
        "ja": "先にメールアドレスを確認してください。",
    },
    "Choose a password first.": {
        "fr": "Choisissez d'abord un mot de passe.",
        "de": "Wählen Sie zuerst ein Passwort.",
        "es": "Elija primero una contraseña.",
        "ja": "先にパスワードを設定してください。",
    },
    "This account cannot be created. Try signing in.": {
        "fr": "Ce compte ne peut pas être créé. Essayez de vous connecter.",
        "de": "Dieses Konto kann nicht erstellt werden. Versuchen Sie, sich anzumelden.",
        "es": "No se puede crear esta cuenta. Intente iniciar sesión.",
        "ja": "このアカウントは作成できません。サインインをお試しください。",
    },
    "Email address": {
        "fr": "Adresse e-mail",
        "de": "E-Mail-Adresse",
        "es": "Correo electrónico",
        "ja": "メールアドレス",
    },
    "Verification code": {
        "fr": "Code de vérification",
        "de": "Bestätigungscode",
        "es": "Código de verificación",
        "ja": "確認コード",
    },
    "Confirm password": {
        "fr": "Confirmer le mot de passe",
        "de": "Passwort bestätigen",
        "es": "Confirmar contraseña",
        "ja": "パスワードの確認",
    },
    "The passwords do not match.": {
        "fr": "Les mots de passe ne correspondent pas.",
        "de": "Die Passwörter stimmen nicht überein.",
        "es": "Las contraseñas no coinciden.",
        "ja": "パスワードが一致しません。",
    },
    "Create your account": {
        "fr": "Créez votre compte",
        "de": "Erstellen Sie Ihr Konto",
        "es": "Cree su cuenta",
        "ja": "アカウントを作成",
    },
    "Send code": {
        "fr": "Envoyer le code",
        "de": "Code senden",
        "es": "Enviar código",
        "ja": "コードを送信",
    },
    "Verify your email": {
        "fr": "Vérifiez votre adresse e-mail",
        "de": "Bestätigen Sie Ihre E-Mail-Adresse",
        "es": "Verifique su correo",
        "ja": "メールアドレスの確認",
    },
    "Verify": {"fr": "Vérifier", "de": "Bestätigen", "es": "Verificar", "ja": "確認"},
    "Choose a password": {
        "fr": "Choisissez un mot de passe",
        "de": "Wählen Sie ein Passwort",
        "es": "Elija una contraseña",
        "ja": "パスワードの設定",
    },
    "Create account": {
        "fr": "Créer le compte",
        "de": "Konto erstellen",
        "es": "Crear cuenta",
        "ja": "アカウントを作成",
    },
    "This app does not offer sign-in with an email code.": {
        "fr": "Cette application ne propose pas la connexion par code envoyé par e-mail.",
        "de": "Diese App bietet keine Anmeldung mit E-Mail-Code an.",
        "es": "Esta aplicación no ofrece inicio de sesión con código por correo.",
        "ja": "このアプリではメールのコードによるサインインを利用できません。",
    },
}

ENTRY = re.compile(r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+))msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)')


def _join(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"')


def fill(path: Path, lang: str) -> int:
    text = path.read_text()
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        msgid = _join(match.group(2))
        translated = T.get(msgid, {}).get(lang)
        if not translated:
            return match.group(0)
        count += 1
        escaped = translated.replace('"', '\\"')
        return f'{match.group(1)}msgstr "{escaped}"\n'

    text = ENTRY.sub(replace, text)
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1)
    text = text.replace("charset=CHARSET", "charset=UTF-8")
    path.write_text(text)
    return count


if __name__ == "__main__":
    root = Path(__file__).resolve().parent
    for lang in ("fr", "de", "es", "ja"):
        n = fill(root / lang / "LC_MESSAGES" / "django.po", lang)
        print(f"{lang}: {n} strings", file=sys.stderr)
